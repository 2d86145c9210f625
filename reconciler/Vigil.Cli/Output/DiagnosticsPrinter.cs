using System.Text.Json.Nodes;
using Vigil.Core.Validation;
using Vigil.Source;

namespace Vigil.Cli.Output;

/// <summary>Prints load results for people (one line per finding, then a summary) or for machines (JSON).</summary>
internal static class DiagnosticsPrinter
{
    public static void Text(Terminal terminal, string path, LoadResult result)
    {
        foreach (var d in result.Diagnostics)
        {
            var severity = d.Severity == Severity.Error ? terminal.Red("error") : terminal.Yellow("warning");
            var field = d.Field.Length > 0 ? terminal.Bold(d.Field) + ": " : "";
            terminal.Writer.WriteLine($"{d.File}:{d.Position.Line}:{d.Position.Column}: {severity}: {field}{d.Message} [{d.Rule}]");
        }
        var verdict = result.IsValid ? terminal.Green("valid") : terminal.Red("invalid");
        terminal.Writer.WriteLine(
            $"{path}: {verdict} ({Plural(result.Files, "file")}, {Plural(result.Documents, "document")}, {Plural(result.ErrorCount, "error")}, {Plural(result.WarningCount, "warning")})");
    }

    public static JsonObject Json(string path, LoadResult result) => new()
    {
        ["path"] = path,
        ["valid"] = result.IsValid,
        ["files"] = result.Files,
        ["documents"] = result.Documents,
        ["errors"] = result.ErrorCount,
        ["warnings"] = result.WarningCount,
        ["diagnostics"] = new JsonArray([.. result.Diagnostics.Select(d => (JsonNode)new JsonObject
        {
            ["severity"] = d.Severity == Severity.Error ? "error" : "warning",
            ["rule"] = d.Rule,
            ["file"] = d.File,
            ["line"] = d.Position.Line,
            ["column"] = d.Position.Column,
            ["field"] = d.Field,
            ["message"] = d.Message,
        })]),
    };

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
