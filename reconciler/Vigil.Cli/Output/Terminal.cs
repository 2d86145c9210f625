namespace Vigil.Cli.Output;

/// <summary>Colour only when writing to a terminal and NO_COLOR is not set (https://no-color.org).</summary>
internal sealed class Terminal(TextWriter writer, bool colour)
{
    public static Terminal ForStandardOutput(TextWriter writer) =>
        new(writer, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null && writer == Console.Out);

    public TextWriter Writer { get; } = writer;

    public string Red(string text) => Paint("31", text);

    public string Yellow(string text) => Paint("33", text);

    public string Green(string text) => Paint("32", text);

    public string Bold(string text) => Paint("1", text);

    private string Paint(string code, string text) => colour ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
