using Vigil.Core.Desired;
using Vigil.Core.Validation;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Validation;

public class ReferenceRulesTests
{
    [Fact]
    public void MemberNode_NotInTheCluster_IsAnErrorWithASuggestion()
    {
        var instance = Instance() with { Members = [new VrrpMemberSpec { Node = "ka3", Priority = 100 }] };
        var d = Assert.Single(SemanticValidator.Validate(State(null, instance)), d => d.Rule == "unknown-node");
        Assert.Equal("spec.members[0].node", d.Field);
        Assert.Equal("node 'ka3' is not in the Cluster's nodes; did you mean 'ka1'?", d.Message);
    }

    [Fact]
    public void TrackedScript_ThatNoDocumentDefines_IsAnError()
    {
        var instance = Instance() with { TrackScripts = [new TrackScriptSpec { Name = "chk_haproxi", Weight = -30 }] };
        var state = State(null, instance) with { VrrpScripts = [Named("chk_haproxy", new VrrpScriptSpec { Script = "/bin/true" })] };
        var d = Assert.Single(SemanticValidator.Validate(state));
        Assert.Equal("unknown-script", d.Rule);
        Assert.Equal("tracks VrrpScript 'chk_haproxi', which no document defines; did you mean 'chk_haproxy'?", d.Message);
    }

    [Fact]
    public void TrackedScript_WhoseDocumentFailedTheSchema_IsNotReportedAgain()
    {
        var instance = Instance() with { TrackScripts = [new TrackScriptSpec { Name = "chk", Weight = -30 }] };
        var unreadable = new UnreadableResources();
        unreadable.Add(Kinds.VrrpScript, "chk");
        Assert.Empty(SemanticValidator.Validate(State(null, instance), unreadable));
    }

    [Fact]
    public void GarpGroups_AnInterfaceInTwo_IsAnError_AndEachInterfaceFindsItsPace()
    {
        static TimeSpan ms(int n) => TimeSpan.FromMilliseconds(n);
        var cluster = Cluster() with
        {
            Defaults = Cluster().Defaults with { GarpInterval = ms(1) },
            GarpGroups =
            [
                new GarpGroupSpec { Interfaces = ["eth0", "eth1"], GarpInterval = ms(5) },
                new GarpGroupSpec { Interfaces = ["eth2", "eth1"], GnaInterval = ms(2) },
            ],
        };
        var d = Assert.Single(SemanticValidator.Validate(State(cluster, Instance())));
        Assert.Equal(("spec.garpGroups[1].interfaces[1]", "interface 'eth1' is already paced by spec.garpGroups[0]"), (d.Field, d.Message));

        var pacing = NodeProjection.For(State(cluster, Instance()), "ka1").Pacing;
        Assert.Equal(("eth0 eth1", ms(5), TimeSpan.Zero), pacing.For("eth1"));
        Assert.Equal(("eth2 eth1", TimeSpan.Zero, ms(2)), pacing.For("eth2"));
        Assert.Equal(("eth3", ms(1), TimeSpan.Zero), pacing.For("eth3")); // alone, at the default interval
    }

    [Fact]
    public void NoCluster_IsAnError_UnlessItsDocumentFailedTheSchema()
    {
        var state = State(null, Instance()) with { Cluster = null };
        Assert.Contains(SemanticValidator.Validate(state), d => d.Rule == "cluster-missing");
        var unreadable = new UnreadableResources();
        unreadable.Add(Kinds.Cluster, "lab");
        Assert.DoesNotContain(SemanticValidator.Validate(state, unreadable), d => d.Rule is "cluster-missing" or "unknown-node");
    }

    [Fact]
    public void Member_ListedTwice_IsAnError()
    {
        var instance = Instance() with { Members = [new VrrpMemberSpec { Node = "ka1", Priority = 100 }, new VrrpMemberSpec { Node = "ka1", Priority = 90 }] };
        var d = Assert.Single(SemanticValidator.Validate(State(null, instance)), d => d.Rule == "duplicate-member");
        Assert.Equal("spec.members[1].node", d.Field);
    }

    [Fact]
    public void SyncGroup_NamingAMissingInstance_OrAnInstanceOfAnotherGroup_IsAnError()
    {
        var state = State(null, Instance(51), Instance(52, "198.51.100.101/24")) with
        {
            SyncGroups =
            [
                Named("g1", new SyncGroupSpec { Instances = ["vi_1", "vi_2"] }),
                Named("g2", new SyncGroupSpec { Instances = ["vi_2", "vi_9"] }),
            ],
        };
        var diagnostics = SemanticValidator.Validate(state);
        Assert.Equal(2, diagnostics.Count);
        Assert.Contains(diagnostics, d => d is { Rule: "instance-in-two-groups", Field: "spec.instances[0]" });
        Assert.Contains(diagnostics, d => d is { Rule: "unknown-instance", Field: "spec.instances[1]" });
    }

    [Fact]
    public void NearMiss_FindsCaseAndTypoMistakes_ButNotUnrelatedNames()
    {
        Assert.Equal("virtualRouterId", NearMiss.Closest("virtualRouterID", ["virtualRouterId", "version"]));
        Assert.Equal("advertInterval", NearMiss.Closest("advertIntervall", ["advertInterval", "authentication"]));
        Assert.Null(NearMiss.Closest("color", ["virtualRouterId", "members"]));
    }
}

public class NotificationRulesTests
{
    [Theory]
    [InlineData("vigil at example", "ops@example.org", "spec.notification.email.from", "'vigil at example' is not an email address (such as vigil@example.org)")]
    [InlineData("vigil@example.org", "ops", "spec.notification.email.to[0]", "'ops' is not an email address (such as ops@example.org)")]
    [InlineData("vigil@example.org", "a@example.org, b@example.org", "spec.notification.email.to[0]", "'a@example.org, b@example.org' is not an email address (such as ops@example.org)")]
    public void EmailAddress_ThatDoesNotParse_IsAnErrorOnItsField(string from, string to, string field, string message)
    {
        var cluster = Cluster() with { Notification = new NotificationSpec { Email = new EmailSpec { SmtpServer = "127.0.0.1", From = from, To = [to] } } };

        var d = Assert.Single(SemanticValidator.Validate(State(cluster, Instance())), d => d.Rule == "invalid-email");

        Assert.Equal((field, message), (d.Field, d.Message));
    }

    [Fact]
    public void EmailAddresses_WithOrWithoutADisplayName_AreAccepted()
    {
        var cluster = Cluster() with { Notification = new NotificationSpec { Email = new EmailSpec { SmtpServer = "127.0.0.1", From = "Vigil <vigil@example.org>", To = ["ops@example.org"] } } };

        Assert.DoesNotContain(SemanticValidator.Validate(State(cluster, Instance())), d => d.Rule == "invalid-email");
    }
}
