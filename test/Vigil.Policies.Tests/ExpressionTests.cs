using Newtonsoft.Json.Linq;
using Vigil.Policies.Expressions;

namespace Vigil.Policies.Tests;

/// <summary>The rule language: CEL's semantics for the subset Vigil implements, checked expression by expression.</summary>
public class ExpressionTests
{
    private const string Document = """
        {
          "apiVersion": "vigil/v1", "kind": "VrrpInstance", "metadata": { "name": "vi_web" },
          "spec": {
            "virtualRouterId": 51, "interface": "eth0", "advertInterval": "1s", "ratio": 0.5,
            "members": [ { "node": "ka1", "priority": 100 }, { "node": "ka2", "priority": 80 } ],
            "virtualAddresses": [ { "address": "198.51.100.100/24" }, { "address": "2001:db8::100" } ],
            "authentication": { "password": "s3cr3t" },
            "empty": null
          }
        }
        """;

    private static bool Test(string expression, string document = Document) =>
        CelSubset.Instance.Compile(expression).Test(new RuleInput(JToken.Parse(document), "VrrpInstance", "vi_web", "network/vi_web.yaml"));

    private static ExpressionException CompileError(string expression) =>
        Assert.Throws<ExpressionException>(() => CelSubset.Instance.Compile(expression));

    private static ExpressionException EvaluationError(string expression) =>
        Assert.Throws<ExpressionException>(() => Test(expression));

    [Theory]
    [InlineData("true")]
    [InlineData("!false")]
    [InlineData("1 + 2 * 3 == 7")]
    [InlineData("(1 + 2) * 3 == 9")]
    [InlineData("7 / 2 == 3 && 7 % 2 == 1 && -7 / 2 == -3")]
    [InlineData("1 == 1.0 && 2 > 1.5 && 0x10 == 16")]
    [InlineData("-9223372036854775808 < 0 && -(1) == -1 && --1 == 1")]
    [InlineData("1.5e1 == 15.0")]
    [InlineData("'a' + \"b\" == 'ab' && 'abc' < 'abd'")]
    [InlineData("r'\\d' == '\\\\d' && '\\u00e9' == 'é' && '''it's''' == \"it's\"")]
    [InlineData("size('héllo') == 5 && 'héllo'.size() == 5")]
    [InlineData("[1, 2] + [3] == [1, 2, 3] && size([]) == 0")]
    [InlineData("{'a': 1, 'b': 2}['b'] == 2 && 'a' in {'a': 1} && !('z' in {'a': 1})")]
    [InlineData("2 in [1, 2, 3] && !(4 in [1, 2, 3]) && 2.0 in [1, 2]")]
    [InlineData("1 == 1 ? 'yes' == 'yes' : false")]
    [InlineData("null == null && 1 != null && [1] != [1, 2] && {'a': 1} == {'a': 1.0}")]
    [InlineData("1 != 'a'")]
    public void Literals_AndOperators(string expression) => Assert.True(Test(expression));

    [Theory]
    [InlineData("object.spec.virtualRouterId == 51")]
    [InlineData("object.metadata.name == name && name == 'vi_web' && kind == 'VrrpInstance'")]
    [InlineData("file == 'network/vi_web.yaml' && folder == 'network/'")]
    [InlineData("object.spec.members[1].priority == 80")]
    [InlineData("object.spec['interface'] == 'eth0'")]
    [InlineData("object.spec.ratio == 0.5 && object.spec.empty == null")]
    [InlineData("has(object.spec.authentication) && !has(object.spec.notify)")]
    [InlineData("has(object.spec.empty)")]
    [InlineData("object.spec.members.all(m, m.priority >= 80)")]
    [InlineData("object.spec.members.exists(m, m.node == 'ka2')")]
    [InlineData("object.spec.members.exists_one(m, m.priority > 90)")]
    [InlineData("object.spec.members.map(m, m.node) == ['ka1', 'ka2']")]
    [InlineData("object.spec.members.map(m, m.priority > 90, m.node) == ['ka1']")]
    [InlineData("object.spec.members.filter(m, m.priority < 90).size() == 1")]
    [InlineData("object.spec.all(key, key != 'state')")]
    [InlineData("object.spec.members.all(m, object.spec.members.exists(n, n.node == m.node))")]
    [InlineData("[1, 2].all(x, [3].all(x, x == 3)) && [1].exists(x, x == 1)")]
    public void Documents_AreReadAsWritten(string expression) => Assert.True(Test(expression));

    [Theory]
    [InlineData("'198.51.100.100'.startsWith('198.51.') && 'eth0'.endsWith('0') && 'eth0'.contains('th')")]
    [InlineData("'eth0'.matches('^eth[0-9]+$') && matches('bond0', 'bond') && !'eth0'.matches('^bond')")]
    [InlineData("'ETH0'.lowerAscii() == 'eth0' && 'é'.upperAscii() == 'é' && ' a '.trim() == 'a'")]
    [InlineData("int('42') == 42 && int(2.9) == 2 && double('1.5') == 1.5 && string(51) == '51' && string(true) == 'true'")]
    [InlineData("duration(object.spec.advertInterval) == duration('1000ms') && duration('1.5s') < duration('2s')")]
    [InlineData("duration('1m').getSeconds() == 60 && duration('1.5s').getMilliseconds() == 1500 && string(duration('90s')) == '90s'")]
    [InlineData("duration('1s') + duration('500ms') == duration('1.5s')")]
    [InlineData("isIP('198.51.100.1') && !isIP('198.51.100.1/24') && isCIDR('198.51.100.0/24') && !isCIDR('eth0')")]
    [InlineData("cidr('198.51.100.0/24').containsIP('198.51.100.7') && !cidr('198.51.100.0/24').containsIP(ip('203.0.113.7'))")]
    [InlineData("cidr('198.51.100.0/24').containsCIDR('198.51.100.100/25') && !cidr('198.51.100.0/25').containsCIDR('198.51.100.0/24')")]
    [InlineData("cidr('198.51.100.96/28').containsCIDR('198.51.100.100') && !cidr('198.51.100.96/28').containsCIDR('198.51.100.112')")]
    [InlineData("cidr('2001:db8::/32').containsIP('2001:db8::1') && !cidr('2001:db8::/32').containsIP('198.51.100.1')")]
    [InlineData("ip('2001:db8::1').family() == 6 && ip('198.51.100.1').family() == 4 && ip('127.0.0.1').isLoopback()")]
    [InlineData("cidr('198.51.100.100/24').prefixLength() == 24 && cidr('198.51.100.100/24').ip() == ip('198.51.100.100')")]
    [InlineData("object.spec.virtualAddresses.all(a, cidr('198.51.100.0/24').containsCIDR(a.address) || cidr('2001:db8::/32').containsCIDR(a.address))")]
    public void Functions_ForStringsDurationsAndAddresses(string expression) => Assert.True(Test(expression));

    [Theory]
    // CEL's && and || absorb an error when the other side decides, in either order.
    [InlineData("!(has(object.spec.notify) && object.spec.notify.email)")]
    [InlineData("!(object.spec.notify.email && has(object.spec.notify))")]
    [InlineData("!has(object.spec.notify) || object.spec.notify.email")]
    [InlineData("object.spec.notify.email || !has(object.spec.notify)")]
    [InlineData("!(object.spec.notify.email || true) || true")]
    [InlineData("[{'a': 1}, {}].exists(x, x.a == 1)")]
    [InlineData("!([{}, {'a': 2}].all(x, x.a == 1))")]
    public void Errors_AreAbsorbedWhereCelSaysSo(string expression) => Assert.True(Test(expression));

    [Theory]
    [InlineData("object.spec.notify.email", "no field 'notify' here")]
    [InlineData("object.spec.virtualRouterId.x == 1", "cannot read field 'x' of int")]
    [InlineData("object.spec.members[2].node == 'x'", "index 2 is outside a list of 2")]
    [InlineData("1 / 0 == 0", "division by zero")]
    [InlineData("9223372036854775807 + 1 > 0", "integer overflow")]
    [InlineData("'a' < 1", "cannot order string and int")]
    [InlineData("'a' - 'b' == ''", "'-' does not apply to string and string")]
    [InlineData("object.spec.virtualRouterId", "a rule must give true or false, this one gave int")]
    [InlineData("object.spec.interface ? true : false", "expected true or false here, got string")]
    [InlineData("ip('198.51.100.1/24').family() == 4", "for ADDRESS/LENGTH use cidr()")]
    [InlineData("duration('soon') > duration('1s')", "duration() takes text like 100ms")]
    [InlineData("[{}, {}].exists(x, x.a == 1)", "no field 'a' here")]
    [InlineData("size(object.spec.virtualRouterId) == 1", "size does not apply to int")]
    public void Errors_SayWhatWentWrong(string expression, string message) =>
        Assert.Contains(message, EvaluationError(expression).Message, StringComparison.Ordinal);

    private static readonly string[] ReadingThePassword =
    [
        "object.spec.authentication.password > 1",
        "object.spec.authentication.password - 1 == 0",
        "int(object.spec.authentication.password) == 0",
        "ip(object.spec.authentication.password).family() == 4",
        "object.spec.authentication.password",
    ];

    [Fact]
    public void Errors_NeverQuoteTheDocumentsValues()
    {
        var errors = ReadingThePassword.Select(EvaluationError);
        Assert.All(errors, e => Assert.DoesNotContain("s3cr3t", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("object.spec.priority = 1", 22, "'=' is not an operator; compare with '=='")]
    [InlineData("a & b", 3, "'&' is not an operator")]
    [InlineData("object.spec.x # comment", 15, "unexpected character '#'")]
    [InlineData("objekt.spec.x", 1, "unknown name 'objekt'")]
    [InlineData("object.spec.members.all(m, n.priority > 1)", 28, "unknown name 'n'")]
    [InlineData("sizeof(object)", 1, "unknown function 'sizeof'")]
    [InlineData("object.spec.interface.startsWith()", 23, "startsWith() is not called this way")]
    [InlineData("'abc", 1, "a string is not closed")]
    [InlineData("'\\q'", 2, "unknown escape")]
    [InlineData("1 +", 4, "the expression ends too early")]
    [InlineData("(1 + 2", 7, "expected ')'")]
    [InlineData("1 2", 3, "unexpected text after the end")]
    [InlineData("99999999999999999999 > 1", 1, "not a 64-bit integer")]
    [InlineData("9223372036854775808 > 1", 1, "not a 64-bit integer")]
    [InlineData("12abc", 3, "a number runs into 'a'")]
    [InlineData("has(object)", 1, "has() takes a field selection")]
    [InlineData("[1].all(x)", 10, "expected ',' after all()'s variable")]
    [InlineData("[1].all(x, true, false)", 18, "all() takes a variable and one expression")]
    [InlineData("'a'.matches('(?<=a)b')", 5, "not a pattern matches() can run in linear time")]
    public void CompileErrors_PointAtTheColumn(string expression, int column, string message)
    {
        var error = CompileError(expression);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void HostileText_IsRefusedNotRun()
    {
        Assert.Contains("nests deeper than", CompileError(new string('(', 200) + "1" + new string(')', 200)).Message, StringComparison.Ordinal);
        Assert.Contains("nests deeper than", CompileError(string.Join(" + ", Enumerable.Repeat("1", 500))).Message, StringComparison.Ordinal);
        Assert.Contains("nests deeper than", CompileError("object" + string.Concat(Enumerable.Repeat(".a", 500))).Message, StringComparison.Ordinal);
        Assert.Contains("nests deeper than", CompileError(new string('!', 500) + "true").Message, StringComparison.Ordinal);
        Assert.Contains("longer than 4096", CompileError(new string(' ', 5_000) + "true").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpensiveRules_StopAtTheBudget()
    {
        // Six nested comprehensions over 20 items are 64 million steps: refused on the document, not left running.
        var items = "[" + string.Join(",", Enumerable.Range(0, 20)) + "]";
        var nested = $"{items}.all(a, {items}.all(b, {items}.all(c, {items}.all(d, {items}.all(e, {items}.all(f, true))))))";
        var error = EvaluationError(nested);
        Assert.Contains($"more than {CelSubset.StepBudget} steps", error.Message, StringComparison.Ordinal);
        // The budget is not an error && or || may absorb.
        Assert.Contains("steps", EvaluationError($"true && ({nested} || true)").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeIntegers_InADocument_AreDoubles_NotACrash()
    {
        var document = new JObject { ["spec"] = new JObject { ["n"] = new JValue(System.Numerics.BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture)), ["m"] = 7 } }.ToString();
        Assert.True(Test("object.spec.n > 1.0e29 && object.spec.m / 2 == 3", document));
    }

    [Fact]
    public void Matches_RunsInLinearTime()
    {
        // (a+)+$ against a long run of a's and a final 'b' backtracks for ever; RE2 semantics answer at once.
        var input = new string('a', 5_000) + "b";
        var document = new JObject { ["spec"] = new JObject { ["text"] = input } }.ToString();
        Assert.False(Test("object.spec.text.matches('^(a+)+$')", document));
    }
}
