using Vigil.Core.Validation;

namespace Vigil.Source.Tests;

/// <summary>Each kind of defect, in inline YAML, with the exact line, column, field and message.</summary>
public class SchemaErrorTests
{
    private static string Only(string yaml) => Assert.Single(Loading.Text(yaml).Diagnostics).ToString();

    private const string Instance = """
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: vi_1
        spec:
          virtualRouterId: 51
          members:
            - node: ka1
              priority: 100
          virtualAddresses:
            - address: 198.51.100.100/24

        """;

    [Fact]
    public void ValidInstance_HasNoFindings() => Assert.Empty(Loading.Text(Loading.Cluster + Instance).Diagnostics);

    [Fact]
    public void MalformedYaml_PointsAtTheBadLine()
    {
        var yaml = "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: x\n spec: 1\n";
        Assert.Equal("test.yaml:5:2: error: malformed YAML: While parsing a block mapping, did not find expected key. [yaml]", Only(yaml));
    }

    [Fact]
    public void DuplicateKey_IsMalformedYaml()
    {
        var yaml = "apiVersion: vigil/v1\nkind: VrrpScript\nkind: VrrpScript\n";
        Assert.Equal("test.yaml:3:1: error: malformed YAML: Duplicate key kind [yaml]", Only(yaml));
    }

    [Fact]
    public void WrongType_SaysWhatWasExpectedAndWhatWasFound()
    {
        var yaml = Loading.Cluster + Instance.Replace("priority: 100", "priority: high", StringComparison.Ordinal);
        Assert.Equal("test.yaml:26:7: error: spec.members[0].priority: must be a whole number (got 'high') [schema]", Only(yaml));
    }

    [Fact]
    public void OutOfRange_NamesTheBound()
    {
        var yaml = Loading.Cluster + Instance.Replace("virtualRouterId: 51", "virtualRouterId: 0", StringComparison.Ordinal);
        Assert.Equal("test.yaml:23:3: error: spec.virtualRouterId: must be at least 1 (got 0) [schema]", Only(yaml));
    }

    [Fact]
    public void UnknownField_WithoutANearMiss_ListsTheFieldsThere()
    {
        var yaml = Loading.Cluster + Instance.Replace("    - node: ka1", "    - node: ka1\n      colour: red", StringComparison.Ordinal);
        Assert.Equal("test.yaml:26:7: error: spec.members[0].colour: unknown field 'colour' (fields here: node, priority) [schema]", Only(yaml));
    }

    [Fact]
    public void MissingRequiredField_IsReportedWhereItWouldBeWritten()
    {
        var yaml = Loading.Cluster + Instance.Replace("      priority: 100\n", "", StringComparison.Ordinal);
        Assert.Equal("test.yaml:25:7: error: spec.members[0]: missing required field 'priority' [schema]", Only(yaml));
    }

    [Fact]
    public void SmtpPassword_WrittenAsALiteral_IsRefused()
    {
        var yaml = Loading.Cluster.Replace("  defaults:", "  notification:\n    email:\n      smtpServer: 203.0.113.25\n      from: a@example.org\n      to: [b@example.org]\n      password: hunter2\n  defaults:", StringComparison.Ordinal);
        var d = Assert.Single(Loading.Text(yaml).Diagnostics);
        Assert.Equal("spec.notification.email.password", d.Field);
        Assert.Equal(new Core.Desired.SourcePosition(11, 7), d.Position);
        Assert.Equal("must be a mapping (got 'hunter2'): Where the SMTP password is read: {file: PATH} or {env: NAME}. Never a literal in git", d.Message);
    }

    [Fact]
    public void SmtpPassword_WithBothFileAndEnv_IsRefused()
    {
        var yaml = Loading.Cluster.Replace("  defaults:", "  notification:\n    email:\n      smtpServer: 203.0.113.25\n      from: a@example.org\n      to: [b@example.org]\n      password: {file: /etc/p, env: P}\n  defaults:", StringComparison.Ordinal);
        Assert.StartsWith("test.yaml:11:7: error: spec.notification.email.password: set exactly one of: file, env", Only(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateName_PointsAtTheFirstDefinition()
    {
        var result = new DesiredStateLoader().Load([("a.yaml", Loading.Cluster + Instance), ("b.yaml", Instance.Replace("virtualRouterId: 51", "virtualRouterId: 52", StringComparison.Ordinal))]);
        Assert.Equal("b.yaml:4:3: error: metadata.name: VrrpInstance 'vi_1' is already defined at a.yaml:21 [duplicate-name]", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void TwoDocumentsClaimingTheSameVip_NameBothPlaces()
    {
        var second = Instance.Replace("vi_1", "vi_2", StringComparison.Ordinal).Replace("virtualRouterId: 51", "virtualRouterId: 52", StringComparison.Ordinal);
        var result = new DesiredStateLoader().Load([("a.yaml", Loading.Cluster + Instance), ("team/b.yaml", second)]);
        Assert.Equal(
            "team/b.yaml:11:7: error: spec.virtualAddresses[0].address: 198.51.100.100 is already claimed by VrrpInstance 'vi_1' (a.yaml:28); a virtual address belongs to exactly one instance [vip-unique]",
            Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void DanglingReference_SuggestsTheNearName()
    {
        var yaml = Loading.Cluster + Instance.Replace("node: ka1", "node: kal", StringComparison.Ordinal);
        Assert.Equal("test.yaml:25:7: error: spec.members[0].node: node 'kal' is not in the Cluster's nodes; did you mean 'ka1'? [unknown-node]", Only(yaml));
    }

    [Fact]
    public void EmailSenderThatIsNoAddress_IsReportedOnItsLine()
    {
        var cluster = Loading.Cluster.Replace("  defaults:", "  notification:\n    email:\n      smtpServer: 127.0.0.1\n      from: vigil at example\n      to: [ops@example.org]\n  defaults:", StringComparison.Ordinal);
        Assert.Equal("test.yaml:9:7: error: spec.notification.email.from: 'vigil at example' is not an email address (such as vigil@example.org) [invalid-email]",
            Only(cluster + Instance));
    }

    [Fact]
    public void BrokenCluster_DoesNotCascadeIntoUnknownNodeErrors()
    {
        var yaml = Loading.Cluster.Replace("name: eth0\n          addresses", "name: eth0\n          adresses", StringComparison.Ordinal) + Instance;
        var result = Loading.Text(yaml);
        Assert.All(result.Diagnostics, d => Assert.Equal("schema", d.Rule));
        Assert.DoesNotContain(result.Diagnostics, d => d.Rule is "unknown-node" or "cluster-missing");
    }

    [Fact]
    public void NoCluster_IsReported()
    {
        var d = Assert.Single(Loading.Text(Instance).Diagnostics, d => d.Rule == "cluster-missing");
        Assert.Equal("no Cluster document: one document of kind Cluster must name the nodes", d.Message);
    }

    [Fact]
    public void WeightPitfall_IsAWarning_AndTheStateStillLoads()
    {
        var script = "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: chk\nspec:\n  script: /bin/true\n  weight: -5\n---\n";
        var instance = Instance.Replace("      priority: 100", "      priority: 100\n    - node: ka2\n      priority: 90", StringComparison.Ordinal) + "  trackScripts:\n    - name: chk\n";
        var result = Loading.Text(Loading.Cluster + script + instance);
        Assert.NotNull(result.State);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Equal("test.yaml:40:7: warning: spec.trackScripts[0]: script 'chk' with weight -5 can never cause a failover: node 'ka1' priority 100 -5 = 95 is not below node 'ka2' priority 90; use a weight of -11 or lower [weight-too-small]", d.ToString());
    }
}
