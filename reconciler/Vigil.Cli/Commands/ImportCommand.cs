using System.CommandLine;
using System.Text.Json.Nodes;
using Vigil.Cli.Output;
using Vigil.Import;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Merging;

namespace Vigil.Cli.Commands;

/// <summary>`vigil import ka1=/etc/keepalived/keepalived.conf ka2=...`: one cluster folder from each node's keepalived.conf.</summary>
internal static class ImportCommand
{
    public const string ExitHelp = "Exit codes: 0 everything was carried over, 2 something needs attention (IMPORT.md says what), 1 error (nothing written).";

    public static Command Create()
    {
        var files = new Argument<string[]>("NODE=FILE")
        {
            Description = "Each node's keepalived.conf, named after the node (ka1=/etc/keepalived/keepalived.conf). Its @NODE lines are that node's (keepalived -i NODE).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var folder = new Option<string?>("--out") { Description = "The folder to write (default: ./CLUSTER). It must be new or empty unless --force." };
        var force = new Option<bool>("--force") { Description = "Write into a folder that has files: the imported ones are replaced, those an earlier import wrote and this one does not are removed, others are left." };
        var cluster = new Option<string>("--cluster") { Description = "The Cluster's name (default keepalived).", DefaultValueFactory = _ => "keepalived" };
        var addresses = new Option<string[]>("--address")
        {
            Description = "A node's address the files do not give (multicast instances, or a prefix length): NODE:IFACE=ADDR/LEN. Repeat for more.",
            AllowMultipleArgumentsPerToken = false,
        };
        var schema = new Option<string>("--schema") { Description = "What each file's yaml-language-server line points at.", DefaultValueFactory = _ => new ImportOptions().Schema };
        var command = new Command("import", "Read each node's keepalived.conf (with its includes) and write one cluster folder that means the same, with IMPORT.md " +
            "listing every keyword carried over in another form, every keepalived default written out, and everything that could not be carried over, " +
            "each with file:line.\n" + ExitHelp)
        {
            files,
            folder,
            force,
            cluster,
            addresses,
            schema,
            output,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var nodes = new List<NodeFile>();
            foreach (var pair in parse.GetValue(files)!)
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                {
                    error.WriteLine($"vigil: '{pair}' is not NODE=FILE (ka1=/etc/keepalived/keepalived.conf)");
                    return ExitCodes.Usage;
                }
                nodes.Add(new NodeFile(pair[..equals], Path.GetFullPath(pair[(equals + 1)..])));
            }
            if (nodes.GroupBy(n => n.Node).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                error.WriteLine($"vigil: node {twice.Key} is given {twice.Count()} files: one keepalived.conf per node");
                return ExitCodes.Usage;
            }
            var given = new List<NodeAddress>();
            foreach (var text in parse.GetValue(addresses) ?? [])
            {
                if (ParseAddress(text) is not { } address)
                {
                    error.WriteLine($"vigil: --address '{text}' is not NODE:IFACE=ADDR/LEN (ka1:eth0=198.51.100.11/24)");
                    return ExitCodes.Usage;
                }
                given.Add(address);
            }
            var name = parse.GetValue(cluster)!;
            var target = Path.GetFullPath(parse.GetValue(folder) ?? name);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !parse.GetValue(force))
            {
                error.WriteLine($"vigil: {target} has files: give another --out, or --force to write into it");
                return ExitCodes.Failed;
            }
            var result = ClusterImport.Run(new DiskConfFiles(), nodes, new ImportOptions { ClusterName = name, Addresses = given, Schema = parse.GetValue(schema)! });
            if (result.Errors.Count == 0 && Write(target, result, error) is { } failed)
            {
                error.WriteLine($"vigil: {failed}");
                return ExitCodes.Failed;
            }
            // The folder as the agent and `vigil validate` will read it: an import whose keepalived files contradict
            // Vigil's rules (two instances on one VRID, say) needs attention, with each error's file:line.
            var validation = result.Errors.Count == 0 ? new Vigil.Source.DesiredStateLoader().LoadPath(target) : null;
            var exit = result.Errors.Count > 0 ? ExitCodes.Failed : result.NeedsAttention || validation is { IsValid: false } ? 2 : ExitCodes.Ok;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var json = Json(result, target);
                if (validation is not null)
                {
                    json["validation"] = DiagnosticsPrinter.Json(target, validation);
                }
                parse.InvocationConfiguration.Output.WriteLine(JsonText.Of(json));
            }
            else
            {
                Text(parse.InvocationConfiguration.Output, error, result, target);
                if (validation is { IsValid: false } or { WarningCount: > 0 })
                {
                    DiagnosticsPrinter.Text(Terminal.ForStandardOutput(parse.InvocationConfiguration.Output), target, validation);
                }
            }
            return exit;
        });
        return command;
    }

    /// <summary>
    /// The folder's files; a file an earlier import wrote (its header says so) that this one does not is removed, so
    /// that --force leaves no service that is gone from the keepalived files. Null, or what could not be written.
    /// </summary>
    private static string? Write(string target, ImportResult result, TextWriter error)
    {
        try
        {
            foreach (var (file, text) in result.Files)
            {
                var path = Path.Combine(target, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            foreach (var stale in Directory.EnumerateFiles(target, "*.yaml", SearchOption.AllDirectories)
                .Where(f => !result.Files.ContainsKey(Path.GetRelativePath(target, f)) && File.ReadLines(f).Take(2).Any(l => l.StartsWith(ClusterImport.Header, StringComparison.Ordinal))))
            {
                File.Delete(stale);
                error.WriteLine($"vigil: removed {Path.GetRelativePath(target, stale)}: an earlier import wrote it, and this one has nothing for it");
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{target}: {e.Message} (the folder may be partly written)";
        }
    }

    private static NodeAddress? ParseAddress(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (colon <= 0 || equals <= colon + 1 || !Vigil.Core.Desired.IpPrefix.TryParse(text[(equals + 1)..], out var prefix))
        {
            return null;
        }
        return new NodeAddress(text[..colon], text[(colon + 1)..equals], prefix.ToString()!);
    }

    private static void Text(TextWriter output, TextWriter error, ImportResult result, string target)
    {
        foreach (var message in result.Errors)
        {
            error.WriteLine($"vigil: {message}");
        }
        if (result.Errors.Count > 0)
        {
            error.WriteLine("vigil: nothing was written");
            return;
        }
        foreach (var finding in result.Findings.Where(f => f.NeedsAttention))
        {
            output.WriteLine(finding);
        }
        var attention = result.Findings.Count(f => f.NeedsAttention);
        output.WriteLine($"{target}: {result.Files.Count} files written; {attention} thing(s) need attention, " +
            $"{result.Findings.Count - attention} carried over in another form or with keepalived's default written out (see IMPORT.md)");
    }

    private static JsonObject Json(ImportResult result, string target) => new()
    {
        ["folder"] = target,
        ["written"] = result.Errors.Count == 0,
        ["files"] = new JsonArray([.. result.Files.Keys.Select(f => JsonValue.Create(f))]),
        ["errors"] = new JsonArray([.. result.Errors.Select(e => JsonValue.Create(e))]),
        ["findings"] = new JsonArray([.. result.Findings.Select(f => (JsonNode)new JsonObject
        {
            ["kind"] = f.Kind.ToString(),
            ["needsAttention"] = f.NeedsAttention,
            ["keyword"] = f.Keyword,
            ["message"] = f.Message,
            ["at"] = new JsonArray([.. f.Positions.Select(p => JsonValue.Create(p.ToString()))]),
        })]),
    };
}
