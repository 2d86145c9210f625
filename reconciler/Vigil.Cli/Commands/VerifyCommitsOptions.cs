using System.CommandLine;
using Vigil.Source.Git.Signatures;

namespace Vigil.Cli.Commands;

/// <summary>--verify-commits and --trusted-keys, as the agent and `vigil plan` both take them.</summary>
internal sealed class VerifyCommitsOptions
{
    public VerifyCommitsOptions(string modeDescription)
    {
        Mode = new Option<VerifyMode?>("--verify-commits")
        {
            Description = modeDescription,
            CustomParser = result =>
            {
                switch (result.Tokens[0].Value)
                {
                    case "head": return VerifyMode.Head;
                    case "tag": return VerifyMode.Tag;
                    case "tag-and-head": return VerifyMode.TagAndHead;
                    case var other:
                        result.AddError($"--verify-commits: '{other}' is not head, tag or tag-and-head");
                        return null;
                }
            },
        };
    }

    public Option<VerifyMode?> Mode { get; }

    public Option<string?> TrustedKeys { get; } = new("--trusted-keys")
    {
        Description = "With --verify-commits: a folder on this machine (never the repository's) of OpenPGP keys (*.asc) and SSH allowed_signers files.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Mode);
        command.Options.Add(TrustedKeys);
    }

    /// <summary>The verification asked for, or null; the keys' folder made absolute.</summary>
    public CommitVerification? Value(ParseResult parse) =>
        parse.GetValue(Mode) is { } mode ? new CommitVerification(mode, Path.GetFullPath(parse.GetValue(TrustedKeys)!)) : null;
}
