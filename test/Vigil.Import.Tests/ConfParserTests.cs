using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Tests;

public class ConfParserTests
{
    private static ConfDocument Parse(string text, string? configId = null, Dictionary<string, string>? more = null)
    {
        var files = new Dictionary<string, string>(more ?? []) { ["/etc/keepalived/keepalived.conf"] = text };
        return ConfParser.Parse(new MemoryConfFiles(files), "/etc/keepalived/keepalived.conf", configId);
    }

    private static string Lines(ConfDocument document) => string.Join("\n", Flatten(document.Statements, 0));

    private static IEnumerable<string> Flatten(IReadOnlyList<ConfStatement> statements, int depth) =>
        statements.SelectMany(s => (IEnumerable<string>)[new string(' ', depth * 2) + string.Join("|", s.Words), .. Flatten(s.Block ?? [], depth + 1)]);

    [Fact]
    public void Comments_StartAnywhereOutsideQuotes_SoAnUnquotedBangEndsAPassword()
    {
        var document = Parse("""
            vrrp_instance VI_1 {   # the web VIP
                authentication {
                    auth_pass k@l!ve1
                    ! a whole-line comment
                }
                notify_master "/bin/echo #1 !2"
                smtp_alert \#not\!comment
            }
            """);
        Assert.Equal("vrrp_instance|VI_1\n  authentication\n    auth_pass|k@l\n  notify_master|/bin/echo #1 !2\n  smtp_alert|#not!comment", Lines(document));
        Assert.Empty(document.Diagnostics);
    }

    [Fact]
    public void Braces_SplitLines_WhereverTheyAre()
    {
        var document = Parse("virtual_ipaddress { 198.51.100.100/24 198.51.100.101/24 }\ngroup {\nVI_1\n}  \nvirtual_server 198.51.100.100 80\n{\n  lb_algo rr }");
        Assert.Equal("virtual_ipaddress\n  198.51.100.100/24|198.51.100.101/24\ngroup\n  VI_1\nvirtual_server|198.51.100.100|80\n  lb_algo|rr", Lines(document));
    }

    [Fact]
    public void Statements_KnowTheirFileAndLine_ThroughIncludes()
    {
        var document = Parse(
            "global_defs {\n  router_id lb1\n}\ninclude conf.d/*.conf\ninclude /etc/keepalived/none/*.conf\n",
            more: new()
            {
                ["/etc/keepalived/conf.d/b.conf"] = "vrrp_instance B {\n}\n",
                ["/etc/keepalived/conf.d/a.conf"] = "\n\nvrrp_instance A {\n}\n",
                ["/etc/keepalived/conf.d/a.conf.bak"] = "vrrp_instance OLD {\n}\n",
            });
        Assert.Equal(["global_defs", "vrrp_instance|A", "vrrp_instance|B"], document.Statements.Select(s => string.Join("|", s.Words)));
        Assert.Equal("/etc/keepalived/conf.d/a.conf:3", document.Statements[1].Position.ToString());
        Assert.Equal("/etc/keepalived/keepalived.conf:2", document.Statements[0].Block![0].Position.ToString());
        Assert.Equal("/etc/keepalived/keepalived.conf:5: include /etc/keepalived/none/*.conf: no matching file", Assert.Single(document.Diagnostics).ToString());
    }

    [Fact]
    public void AFileThatIncludesItself_IsReadOnce_AndSaysSo()
    {
        var document = Parse("include keepalived.conf\nglobal_defs {\n}\n");
        Assert.Single(document.Statements);
        Assert.Contains("includes itself", Assert.Single(document.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Definitions_AreSubstituted_PlainBracedAndMultiline()
    {
        var document = Parse("""
            $IF=eth0
            $VIPS=198.51.100.100/24 \
                  198.51.100.101/24
            $PRIO=100
            vrrp_instance VI_1 {
                interface $IF
                priority ${PRIO}0
                virtual_ipaddress {
                    $VIPS
                }
                notify $UNDEFINED
            }
            """);
        Assert.Equal("vrrp_instance|VI_1\n  interface|eth0\n  priority|1000\n  virtual_ipaddress\n    198.51.100.100/24\n    198.51.100.101/24\n  notify|$UNDEFINED", Lines(document));
    }

    [Fact]
    public void Conditionals_KeepTheLinesOfTheirConfigId()
    {
        const string text = "@ka1 router_id lb1\n@ka2 router_id lb2\n@^ka1 priority 80\nrouter_name both\n";
        Assert.Equal("router_id|lb1\nrouter_name|both", Lines(Parse(text, "ka1")));
        Assert.Equal("router_id|lb2\npriority|80\nrouter_name|both", Lines(Parse(text, "ka2")));
        Assert.Equal("priority|80\nrouter_name|both", Lines(Parse(text)));
    }

    [Fact]
    public void Sequences_RepeatALine_ForEachValue_AndAReferenceEndsAtABlankCommaOrParenthesis()
    {
        var document = Parse("virtual_ipaddress {\n~SEQ(n, 1, 2, 5) 198.51.100.${n}/24\n~SEQx(h, 9, 11) 2001:db8::${h}/64\n~SEQ(n, 3) peer $n\n}\n");
        Assert.Equal("virtual_ipaddress\n  198.51.100.1/24\n  198.51.100.3/24\n  198.51.100.5/24\n  2001:db8::9/64\n  2001:db8::a/64\n  2001:db8::b/64\n  peer|1\n  peer|2\n  peer|3", Lines(document));
    }

    [Fact]
    public void KeepalivedsOwnDefinitions_HashBangAndTheFilesFolder()
    {
        var document = Parse("notify_master \"${_PWD}/notify.sh\"\nnotify_backup $_PWD/notify.sh\nauth_pass \"a${_HASH}b${_BANG}c\"\n");
        Assert.Equal("notify_master|/etc/keepalived/notify.sh\nnotify_backup|$_PWD/notify.sh\nauth_pass|a#b!c", Lines(document));
    }

    [Fact]
    public void Mistakes_AreReportedWithFileAndLine()
    {
        var document = Parse("vrrp_instance VI_1 {\n  state MASTER\n}\n}\nvirtual_server 198.51.100.100 80 {\n  lb_algo \"rr\n");
        Assert.Equal(
        [
            "/etc/keepalived/keepalived.conf:6: unterminated quote in the 'lb_algo' line",
            "/etc/keepalived/keepalived.conf:4: extra '}' found",
            "/etc/keepalived/keepalived.conf:6: unmatched quote in the 'lb_algo' line",
            "/etc/keepalived/keepalived.conf:5: the block of 'virtual_server' has no closing '}'",
        ], document.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void AFindingNamesTheLineByItsKeyword_NeverWithAPassword()
    {
        var document = Parse("authentication {\n  auth_pass \"s3cr3t\n}\n");
        Assert.NotEmpty(document.Diagnostics);
        Assert.All(document.Diagnostics, d => Assert.DoesNotContain("s3cr3t", d.Message, StringComparison.Ordinal));
        Assert.Contains(document.Diagnostics, d => d.Message == "unterminated quote in the 'auth_pass' line");
    }

    [Fact]
    public void NestedExpansions_AreBounded_AndSaySo()
    {
        var document = Parse("~SEQ(a, 1, 100000) ~SEQ(b, 1, 100000) peer ${a}.${b}\n");
        Assert.InRange(document.Statements.Count, 990_000, 1_000_000); // each line processed counts, the ~SEQ lines too
        Assert.Equal("/etc/keepalived/keepalived.conf:1: the configuration expands to more than 1,000,000 lines: the rest is not read", Assert.Single(document.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("\"/usr/bin/logger -t 'a b'\" nobody", "/usr/bin/logger -t 'a b'|nobody")]
    [InlineData("'/bin/echo \"x\"'", "/bin/echo \"x\"")]
    [InlineData("/bin/echo a\\ b\\tc\\x41\\101", "/bin/echo|a b\tcAA")]
    [InlineData("\"it\\\"s\"", "it\"s")]
    public void ScriptWords_HonourQuotesAndEscapes(string text, string words) =>
        Assert.Equal(words, string.Join("|", ConfWords.Escaped(text, out _)!));
}
