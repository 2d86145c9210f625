namespace Vigil.Tests;

/// <summary>What a component logged through Serilog, rendered, for tests that assert on its log.</summary>
internal sealed class LogEvents : Serilog.Core.ILogEventSink
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public Serilog.ILogger Logger => new Serilog.LoggerConfiguration().WriteTo.Sink(this).CreateLogger();

    // As the agent's own text log renders them: strings without quotes.
    private static readonly Serilog.Formatting.Display.MessageTemplateTextFormatter Format = new("{Message:lj}", System.Globalization.CultureInfo.InvariantCulture);

    private readonly System.Collections.Concurrent.ConcurrentQueue<Serilog.Events.LogEventLevel> _levels = new();

    /// <summary>How many events were at <paramref name="level"/> or above.</summary>
    public int AtLeast(Serilog.Events.LogEventLevel level) => _levels.Count(l => l >= level);

    public void Emit(Serilog.Events.LogEvent logEvent)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Format.Format(logEvent, text);
        _lines.Enqueue(text.ToString());
        _levels.Enqueue(logEvent.Level);
    }

    public bool Contains(string text) => _lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    public override string ToString() => string.Join('\n', _lines);
}
