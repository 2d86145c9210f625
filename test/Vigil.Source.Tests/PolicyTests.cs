using Vigil.Core.Validation;
using Vigil.Source;
using Vigil.Tests;

namespace Vigil.Source.Tests;

/// <summary>Policy documents in a repository: rules, folder ownership and shipped includes, through the whole loader.</summary>
public class PolicyTests
{
    private const string Cluster = Loading.Cluster;

    private static string Instance(string name, int vrid, string address, string extra = "") => Loading.Instance(name, vrid, address, extra);

    private const string Ownership = """
        apiVersion: vigil/v1
        kind: Policy
        metadata:
          name: ownership
        spec:
          owners:
            - folder: network
              team: network
              kinds: [Cluster, VrrpInstance]
              virtualRouterIds: [50-99, 120]
              addresses: [198.51.100.96/28]
              interfaces: [eth0]
            - folder: apps
              team: applications
              kinds: [VirtualServer]
              addresses: [198.51.100.96/28]
        """;

    private static LoadResult Load(params (string Path, string Text)[] files) => new DesiredStateLoader().Load(files);

    private static Diagnostic Single(LoadResult result, string rule)
    {
        var found = Assert.Single(result.Diagnostics, d => d.Rule == rule);
        Assert.Null(result.State);
        return found;
    }

    [Fact]
    public void Ownership_ValidRepository_Loads()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("network/vi_web.yaml", Instance("vi_web", 51, "198.51.100.100/24")),
            ("policies/ownership.yaml", Ownership));
        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.State);
    }

    [Fact]
    public void Ownership_AddressOfAnotherTeam_IsRefusedAtTheAddress()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("network/vi_web.yaml", Instance("vi_web", 51, "198.51.100.200/24")),
            ("policies/ownership.yaml", Ownership));
        var error = Single(result, "ownership");
        Assert.Equal(("network/vi_web.yaml", 13, "spec.virtualAddresses[0].address"), (error.File, error.Position.Line, error.Field));
        Assert.Equal("198.51.100.200/24 is outside the addresses of folder network/ (team network) (198.51.100.96/28)", error.Message);
    }

    [Fact]
    public void Ownership_KindTheFolderMayNotDefine_IsRefused()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("apps/vi_sneaky.yaml", Instance("vi_sneaky", 51, "198.51.100.100/24")),
            ("policies/ownership.yaml", Ownership));
        var error = Single(result, "ownership");
        Assert.Equal(("apps/vi_sneaky.yaml", "kind"), (error.File, error.Field));
        Assert.Equal("folder apps/ (team applications) may define VirtualServer, not VrrpInstance", error.Message);
    }

    [Theory]
    [InlineData(49, true)]
    [InlineData(50, false)]
    [InlineData(99, false)]
    [InlineData(100, true)]
    [InlineData(120, false)]
    public void Ownership_VirtualRouterIds_AreRanges(int vrid, bool refused)
    {
        var result = Load(("network/cluster.yaml", Cluster), ("network/vi.yaml", Instance("vi", vrid, "198.51.100.100/24")),
            ("policies/ownership.yaml", Ownership));
        Assert.Equal(refused, result.Diagnostics.Any(d => d.Rule == "ownership" && d.Field == "spec.virtualRouterId"
            && d.Message == $"VRID {vrid} is outside the VRIDs of folder network/ (team network) (50-99, 120)"));
        Assert.Equal(refused, result.State is null);
    }

    [Fact]
    public void Ownership_InterfaceOfAnotherTeam_IsRefused()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("network/vi.yaml", Instance("vi", 51, "198.51.100.100/24", "  interface: eth1")),
            ("policies/ownership.yaml", Ownership));
        var error = Single(result, "ownership");
        Assert.Equal(("spec.interface", "interface eth1 is not one of folder network/ (team network)'s (eth0)"), (error.Field, error.Message));
    }

    [Fact]
    public void Ownership_DocumentOutsideEveryOwnedFolder_IsRefused()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("scratch/vi.yaml", Instance("vi", 51, "198.51.100.100/24")),
            ("policies/ownership.yaml", Ownership));
        Assert.Equal("no owner is declared for folder scratch/; with owners in policies/, every document must be in an owned folder",
            Single(result, "ownership").Message);
    }

    [Fact]
    public void Ownership_MostSpecificFolderGoverns()
    {
        var policy = Ownership + """

                - folder: network/lab/*
                  kinds: [VrrpInstance]
                  addresses: [203.0.113.0/24]
            """;
        var result = Load(("network/cluster.yaml", Cluster), ("network/lab/a/vi.yaml", Instance("vi", 200, "203.0.113.10/24")),
            ("policies/ownership.yaml", policy));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Ownership_TwoOwnersOfOneFolder_IsAnErrorInThePolicy()
    {
        var second = """
            apiVersion: vigil/v1
            kind: Policy
            metadata:
              name: more
            spec:
              owners:
                - folder: network/
            """;
        var result = Load(("network/cluster.yaml", Cluster), ("policies/ownership.yaml", Ownership), ("policies/more.yaml", second));
        var error = Single(result, "ownership");
        Assert.Equal(("policies/more.yaml", "spec.owners[0].folder"), (error.File, error.Field));
        Assert.StartsWith("folder network/ already has an owner (policies/ownership.yaml:7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_OutsideThePoliciesFolder_IsRefused()
    {
        var result = Load(("network/cluster.yaml", Cluster), ("network/ownership.yaml", Ownership));
        var error = Single(result, "policy-location");
        Assert.Equal("a Policy belongs in the repository's policies/ folder (protected by the git host's code owners), not in network/", error.Message);
    }

    private static string Rules(string rules) => $"""
        apiVersion: vigil/v1
        kind: Policy
        metadata:
          name: house
        spec:
          rules:
        {rules}
        """;

    [Fact]
    public void Rule_Deny_RefusesAtItsField()
    {
        var policy = Rules("""
                - name: vrid-range
                  match:
                    kinds: [VrrpInstance]
                  expression: object.spec.virtualRouterId < 100
                  field: spec.virtualRouterId
                  message: VRIDs 100 and up belong to the storage cluster
            """);
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 150, "198.51.100.100/24")), ("policies/house.yaml", policy));
        var error = Single(result, "policy house/vrid-range");
        Assert.Equal("vi.yaml:6:3: error: spec.virtualRouterId: VRIDs 100 and up belong to the storage cluster [policy house/vrid-range]", error.ToString());
    }

    [Fact]
    public void Rule_Warn_ReportsAndStillLoads()
    {
        var policy = Rules("""
                - name: vrid-range
                  expression: "kind != 'VrrpInstance' || object.spec.virtualRouterId < 100"
                  message: VRIDs 100 and up belong to the storage cluster
                  severity: warn
            """);
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 150, "198.51.100.100/24")), ("policies/house.yaml", policy));
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((Severity.Warning, "kind"), (warning.Severity, warning.Field));
        Assert.NotNull(result.State);
    }

    [Fact]
    public void Rule_MatchesOnlyItsKindsAndFolders()
    {
        var policy = Rules("""
                - name: lab-only
                  match:
                    kinds: [VrrpInstance]
                    folders: [lab]
                  expression: "false"
                  message: nothing may be defined in lab/
            """);
        var result = Load(("cluster.yaml", Cluster), ("prod/vi.yaml", Instance("vi", 51, "198.51.100.100/24")),
            ("lab/vi2.yaml", Instance("vi2", 52, "198.51.100.101/24")), ("policies/house.yaml", policy));
        Assert.Equal("lab/vi2.yaml", Single(result, "policy house/lab-only").File);
    }

    [Fact]
    public void Rules_JudgeOnlyWhatTheSchemaAccepted_OneDefectOneError()
    {
        var policy = Rules("""
                - name: never
                  match:
                    kinds: [VrrpInstance]
                  expression: "false"
                  message: no instance passes
            """);
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 300, "198.51.100.100/24")), ("policies/house.yaml", policy));
        Assert.Equal(["schema"], result.Diagnostics.Select(d => d.Rule));
    }

    [Fact]
    public void Rule_ThatCannotBeEvaluated_FailsClosed()
    {
        var policy = Rules("""
                - name: notify-email
                  match:
                    kinds: [VrrpInstance]
                  expression: object.spec.notify.email
                  message: every instance mails its transitions
            """);
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24")), ("policies/house.yaml", policy));
        Assert.Equal("rule cannot be checked on VrrpInstance 'vi': column 13: no field 'notify' here (guard it with has())",
            Single(result, "policy house/notify-email").Message);
    }

    [Fact]
    public void Rule_ThatDoesNotCompile_IsAnErrorInThePolicy_AtItsExpression()
    {
        var policy = Rules("""
                - name: typo
                  expression: objekt.spec.priority > 1
                  message: x
                - name: kind-typo
                  match:
                    kinds: [VrrpInstanse]
                  expression: "true"
                  message: x
            """);
        var result = Load(("cluster.yaml", Cluster), ("policies/house.yaml", policy));
        Assert.Null(result.State);
        Assert.Equal(
            [
                "policies/house.yaml:8:7: error: spec.rules[0].expression: column 1: unknown name 'objekt' (variables: cluster, file, folder, kind, name, object, params) [policy]",
                "policies/house.yaml:12:17: error: spec.rules[1].match.kinds[0]: 'VrrpInstanse' is not a kind rules can match; did you mean 'VrrpInstance'? [policy]",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Policy_WithAnUnknownField_IsASchemaError()
    {
        var policy = Rules("""
                - name: x
                  expresion: "true"
                  message: x
            """);
        var result = Load(("cluster.yaml", Cluster), ("policies/house.yaml", policy));
        Assert.Contains(result.Diagnostics, d => d.Rule == "schema" && d.Field == "spec.rules[0].expresion");
        Assert.Null(result.State);
    }

    private const string IncludeBaseline = """
        apiVersion: vigil/v1
        kind: Policy
        metadata:
          name: house
        spec:
          include: [baseline]
        """;

    [Fact]
    public void Include_Baseline_WarnsAboutACleartextPassword_WithoutPrintingIt()
    {
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24", "  authentication:\n    password: s3cr3t")),
            ("policies/house.yaml", IncludeBaseline));
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((Severity.Warning, "policy baseline/no-cleartext-vrrp-password", "spec.authentication", 14),
            (warning.Severity, warning.Rule, warning.Field, warning.Position.Line));
        Assert.DoesNotContain("s3cr3t", warning.ToString(), StringComparison.Ordinal);
        Assert.NotNull(result.State);
    }

    [Fact]
    public void Include_Production_RefusesWhatBaselineWarnsAbout()
    {
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24", "  authentication:\n    password: s3cr3t\n  preemptDelay: 10s")),
            ("policies/house.yaml", IncludeBaseline.Replace("[baseline]", "[production]", StringComparison.Ordinal)));
        Assert.Equal(Severity.Error, Single(result, "policy baseline/no-cleartext-vrrp-password").Severity);
    }

    private static string VirtualServer(string realServer) => $"""
        apiVersion: vigil/v1
        kind: VirtualServer
        metadata:
          name: web
        spec:
          address: 198.51.100.100
          port: 80
          delayLoop: 6s
          realServers:
            - address: 198.51.100.21
        {realServer}
        """;

    /// <summary>Each baseline rule on a document that breaks it (warned) and on one that does not (silent).</summary>
    public static TheoryData<string, string, string> BaselineCases() => new()
    {
        { "two-members-at-least", Instance("vi", 51, "198.51.100.100/24").Replace("    - node: ka2\n      priority: 80\n", "", StringComparison.Ordinal), Instance("vi", 51, "198.51.100.100/24") },
        { "vips-in-declared-prefixes", Instance("vi", 51, "198.51.100.200/24"), Instance("vi", 51, "198.51.100.100/24") },
        { "advert-interval-bounds", Instance("vi", 51, "198.51.100.100/24", "  advertInterval: 10s"), Instance("vi", 51, "198.51.100.100/24", "  advertInterval: 5s") },
        { "nopreempt-not-address-owner", Instance("vi", 51, "198.51.100.11/24", "  preempt: false").Replace("priority: 100", "priority: 255", StringComparison.Ordinal),
            Instance("vi", 51, "198.51.100.11/24", "  preempt: false") },
        { "real-servers-are-checked", VirtualServer("      port: 80"), VirtualServer("      healthCheck:\n        tcp: {}") },
        { "check-timeout-within-period", VirtualServer("      healthCheck:\n        tcp: {}\n        connectTimeout: 6s"), VirtualServer("      healthCheck:\n        tcp: {}\n        connectTimeout: 5s") },
    };

    [Theory]
    [MemberData(nameof(BaselineCases))]
    public void Baseline_EachRule_WarnsOnItsCase_AndOnlyThere(string rule, string breaking, string passing)
    {
        var policy = IncludeBaseline + "\n  parameters:\n    vipPrefixes: [198.51.100.96/28, 198.51.100.0/28]";
        var broken = Load(("cluster.yaml", Cluster), ("doc.yaml", breaking), ("policies/house.yaml", policy));
        Assert.Equal([$"policy baseline/{rule}"], broken.Diagnostics.Select(d => d.Rule));
        Assert.Equal(Severity.Warning, broken.Diagnostics[0].Severity);
        Assert.Empty(Load(("cluster.yaml", Cluster), ("doc.yaml", passing), ("policies/house.yaml", policy)).Diagnostics);
    }

    [Fact]
    public void Baseline_AdvertInterval_ComesFromTheClustersDefaults()
    {
        var fast = Cluster.Replace("    interface: eth0", "    interface: eth0\n    vrrpVersion: 3\n    advertInterval: 50ms", StringComparison.Ordinal);
        var result = Load(("cluster.yaml", fast), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24")), ("policies/house.yaml", IncludeBaseline));
        Assert.Equal("policy baseline/advert-interval-bounds", Assert.Single(result.Diagnostics).Rule);
        var allowed = IncludeBaseline + "\n  parameters:\n    minAdvertInterval: 50ms";
        Assert.Empty(Load(("cluster.yaml", fast), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24")), ("policies/house.yaml", allowed)).Diagnostics);
    }

    [Fact]
    public void Parameters_GivenTwoValues_IsAnError()
    {
        var first = IncludeBaseline + "\n  parameters:\n    minAdvertInterval: 50ms";
        var second = first.Replace("name: house", "name: other", StringComparison.Ordinal).Replace("50ms", "20ms", StringComparison.Ordinal);
        var result = Load(("cluster.yaml", Cluster), ("policies/house.yaml", first), ("policies/other.yaml", second));
        var error = Single(result, "policy");
        Assert.Equal(("policies/other.yaml", "spec.parameters.minAdvertInterval"), (error.File, error.Field));
        Assert.Equal("parameter 'minAdvertInterval' already has another value in policy 'house' (policies/house.yaml)", error.Message);
    }

    [Theory]
    [InlineData("[production]", null, Severity.Error)]
    [InlineData("[baseline, production]", null, Severity.Error)]
    [InlineData("[production, baseline]", null, Severity.Error)]
    [InlineData("[baseline]", null, Severity.Warning)]
    [InlineData("[baseline]", "deny", Severity.Error)]
    [InlineData("[production]", "warn", Severity.Warning)]
    public void IncludeSeverity_OverridesTheIncludedRules_TheStricterPathWins(string include, string? severity, Severity expected)
    {
        var policy = IncludeBaseline.Replace("[baseline]", include, StringComparison.Ordinal) + (severity is null ? "" : $"\n  includeSeverity: {severity}");
        var result = Load(("cluster.yaml", Cluster), ("vi.yaml", Instance("vi", 51, "198.51.100.100/24", "  preemptDelay: 5s\n  authentication:\n    password: s3cr3t")),
            ("policies/house.yaml", policy));
        var found = Assert.Single(result.Diagnostics);
        Assert.Equal(("policy baseline/no-cleartext-vrrp-password", expected), (found.Rule, found.Severity));
    }

    [Fact]
    public void Include_UnknownName_SuggestsTheShippedOnes()
    {
        var result = Load(("cluster.yaml", Cluster), ("policies/house.yaml", IncludeBaseline.Replace("[baseline]", "[basline]", StringComparison.Ordinal)));
        Assert.Equal("no shipped policy 'basline'; did you mean 'baseline'? (shipped: baseline, production)", Single(result, "policy").Message);
    }

    [Fact]
    public void ShippedPolicies_LoadAndAreNamedAsTheirFiles()
    {
        var shipped = ShippedPolicies.Load(Path.Combine(RepoPaths.Root, "policies"));
        Assert.Equal(
            Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "policies"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal),
            shipped.Keys.Order(StringComparer.Ordinal));
        // Every rule compiles, and the examples pass them all (they are what we recommend).
        foreach (var example in RepoPaths.ExampleNames())
        {
            var files = DesiredStateLoader.EnumerateYaml(Path.Combine(RepoPaths.Examples, example))
                .Select(f => (Path.GetRelativePath(Path.Combine(RepoPaths.Examples, example), f), File.ReadAllText(f))).ToList();
            var result = new DesiredStateLoader().Load([.. files, ("policies/included.yaml", IncludeBaseline)]);
            Assert.True(result.IsValid, $"{example}: {string.Join("; ", result.Diagnostics)}");
            Assert.DoesNotContain(result.Diagnostics, d => d.Rule == "policy");
        }
    }

    [Fact]
    public void FolderRevisions_GivePathsRelativeToTheFolder()
    {
        var folder = Path.Combine(RepoPaths.Examples, "team-folders");
        Assert.Empty(new DesiredStateLoader().LoadPath(folder).Diagnostics);
        Assert.Equal("network/vi_web.yaml", RepositoryPolicies.Relative(Path.Join(folder, "network/vi_web.yaml"), folder));
        Assert.Equal("network/vi_web.yaml", RepositoryPolicies.Relative("network/vi_web.yaml", ""));
    }
}
