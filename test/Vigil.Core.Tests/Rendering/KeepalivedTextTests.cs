using Vigil.Core.Desired;
using Vigil.Core.Rendering;

namespace Vigil.Core.Tests.Rendering;

public class KeepalivedTextTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/health check", "\"/health check\"")]
    [InlineData("k@l!ve1", "\"k@l!ve1\"")]
    [InlineData("a#b", "\"a#b\"")]
    [InlineData("{x}", "\"{x}\"")]
    [InlineData("", "\"\"")]
    public void Plain_QuotesWhatKeepalivedWouldCutOrSplit(string value, string written) =>
        Assert.Equal(written, KeepalivedText.Plain(value, "path"));

    [Fact]
    public void Plain_ADoubleQuote_CannotBeWritten_AndASecretIsNotNamed()
    {
        var path = Assert.Throws<KeepalivedRenderException>(() => KeepalivedText.Plain("/a\"b", "path"));
        Assert.Contains("path '/a\"b' cannot be written for keepalived", path.Message, StringComparison.Ordinal);
        var secret = Assert.Throws<KeepalivedRenderException>(() => KeepalivedText.Plain("pa\"ss", "the password", secret: true));
        Assert.DoesNotContain("pa\"ss", secret.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/bin/logger up", "\"/usr/bin/logger up\"")]
    [InlineData("/usr/bin/logger \"a b\"", "\"/usr/bin/logger 'a b'\"")]
    [InlineData("/bin/echo 'say \"hi\"'", "\"/bin/echo 'say \\\"hi\\\"'\"")]
    [InlineData("/bin/echo \"it's\"", "\"/bin/echo 'it\\\\'s'\"")]
    [InlineData("/bin/echo a\\b", "\"/bin/echo 'a\\\\\\\\b'\"")]
    public void Script_QuotesAndEscapesEachWord_ForKeepalivedsTwoReads(string command, string written) =>
        Assert.Equal(written, KeepalivedText.Script(command));
}
