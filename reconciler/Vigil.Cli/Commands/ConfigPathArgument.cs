using System.CommandLine;
using Vigil.Source;

namespace Vigil.Cli.Commands;

/// <summary>The folder (or single file) of YAML that describes the cluster.</summary>
internal static class ConfigPathArgument
{
    public static Argument<string> Create()
    {
        var argument = new Argument<string>("path")
        {
            Description = "Folder of *.yaml files (searched recursively, hidden folders skipped) or one YAML file.",
            DefaultValueFactory = _ => ".",
        };
        // The parser hands an unknown option to a free argument slot; say what it is rather than "no such folder".
        argument.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is { Length: > 1 } && value[0] == '-')
            {
                result.AddError($"unknown option '{value}'");
            }
        });
        return argument;
    }

    /// <summary>Loads, or explains on stderr why the path cannot be read (a usage error).</summary>
    public static LoadResult? TryLoad(string path, TextWriter error)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            error.WriteLine($"vigil: {path}: no such file or folder");
            return null;
        }
        return new DesiredStateLoader().LoadPath(path);
    }
}
