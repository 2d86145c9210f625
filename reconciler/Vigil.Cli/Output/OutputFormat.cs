using System.CommandLine;

namespace Vigil.Cli.Output;

public enum OutputFormat { Text, Json, Yaml, Keepalived, Markdown, Prometheus }

internal static class OutputOption
{
    public static Option<OutputFormat> Create(OutputFormat defaultFormat, params OutputFormat[] allowed)
    {
        var names = allowed.Select(f => f.ToString().ToLowerInvariant()).ToArray();
        var option = new Option<OutputFormat>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", names)} (default {defaultFormat.ToString().ToLowerInvariant()}).",
            DefaultValueFactory = _ => defaultFormat,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                var match = allowed.FirstOrDefault(f => string.Equals(f.ToString(), text, StringComparison.OrdinalIgnoreCase));
                if (match == default && !string.Equals(allowed[0].ToString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    result.AddError($"--output '{text}' is not one of: {string.Join(", ", names)}");
                }
                return match;
            },
        };
        option.CompletionSources.Add(names);
        return option;
    }
}
