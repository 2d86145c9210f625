using Vigil.Core.Desired;
using Vigil.Core.Rendering;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Tests;

/// <summary>A command's words survive Vigil → keepalived.conf → keepalived's reading, and keepalived → Vigil's command line.</summary>
public class ScriptRoundTripTests
{
    /// <summary>Commands as words joined by |.</summary>
    public static TheoryData<string> Commands() =>
    [
        "/usr/bin/logger|up",
        "/usr/bin/logger|-t|keepalived|became master",
        "/bin/echo|it's|say \"hi\"",
        "/bin/echo|a\\b|tab\there|#1|!2|{x}",
        "/bin/echo||both ' and \"",
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Rendered_KeepalivedReadsTheSameWords(string command)
    {
        var words = command.Split('|');
        var line = "notify_master " + KeepalivedText.Script(CommandLine.Join(words)) + " nobody";
        var reader = new ConfLineReader(new MemoryConfFiles([]), null);
        var decommented = reader.Decomment(line, new ConfPosition("keepalived.conf", 1));
        var lineWords = ConfWords.Escaped(decommented, out _)!;
        Assert.Equal("nobody", lineWords[2]);
        Assert.Equal(words, ConfWords.Escaped(lineWords[1], out _)!);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Joined_SplitsBackToTheSameWords(string command) =>
        Assert.Equal(command.Split('|'), CommandLine.Split(CommandLine.Join(command.Split('|'))));
}
