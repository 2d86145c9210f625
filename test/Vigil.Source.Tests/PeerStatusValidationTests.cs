namespace Vigil.Source.Tests;

/// <summary>Cluster peerStatus: where each node serves must exist, and the key must come from one place.</summary>
public class PeerStatusValidationTests
{
    [Fact]
    public void PeerStatus_NeedsAnAddressOnEveryNode()
    {
        var text = Loading.Cluster.Replace("  defaults:", "  peerStatus:\n    port: 9111\n    keyFile: /etc/vigil/peer.key\n  defaults:", StringComparison.Ordinal)
            .Replace("      interfaces:\n        - name: eth0\n          addresses: [198.51.100.12/24]", "      interfaces: []", StringComparison.Ordinal);
        Assert.Contains("interfaces: []", text, StringComparison.Ordinal);
        var error = Assert.Single(Loading.Text(text).Diagnostics);
        Assert.Equal(("peer-address", "spec.nodes[1]"), (error.Rule, error.Field));
        Assert.Equal("peerStatus serves on each node's first interface address, and node 'ka2' has none", error.Message);

        // A node that still runs keepalived serves nothing: no address needed.
        Assert.Empty(Loading.Text(text.Replace("      interfaces: []", "      daemon: keepalived\n      interfaces: []", StringComparison.Ordinal)).Diagnostics);
    }

    [Fact]
    public void PeerStatus_TakesTheKeyFromAFileOrTheEnvironment_NotBoth()
    {
        var both = Loading.Cluster.Replace("  defaults:", "  peerStatus:\n    port: 9111\n    keyFile: /etc/vigil/peer.key\n    keyEnvironment: VIGIL_PEER_KEY\n  defaults:", StringComparison.Ordinal);
        Assert.Equal("peer-key", Assert.Single(Loading.Text(both).Diagnostics).Rule);
        var neither = Loading.Cluster.Replace("  defaults:", "  peerStatus:\n    port: 9111\n  defaults:", StringComparison.Ordinal);
        Assert.Equal("peer-key", Assert.Single(Loading.Text(neither).Diagnostics).Rule);
    }

    [Fact]
    public void WaitingForPeers_NeedsPeerStatus_AndTheTimeoutOutcomeIsNamed()
    {
        var rollout = "  rollout:\n    waitForPeers: true\n    waitTimeout: 2m\n    onTimeout: stall\n  defaults:";
        var alone = Loading.Text(Loading.Cluster.Replace("  defaults:", rollout, StringComparison.Ordinal));
        var error = Assert.Single(alone.Diagnostics);
        Assert.Equal(("rollout-needs-peers", "spec.rollout.waitForPeers"), (error.Rule, error.Field));

        var withPeers = Loading.Text(Loading.Cluster.Replace("  defaults:", "  peerStatus:\n    port: 9111\n    keyFile: /etc/vigil/peer.key\n" + rollout, StringComparison.Ordinal));
        Assert.Empty(withPeers.Diagnostics);
        var spec = withPeers.State!.ClusterSpec.Rollout!;
        Assert.Equal((true, TimeSpan.FromMinutes(2), Core.Desired.RolloutTimeout.Stall), (spec.WaitForPeers, spec.WaitTimeout, spec.OnTimeout));

        var unknown = Loading.Text(Loading.Cluster.Replace("  defaults:", "  rollout:\n    onTimeout: wait\n  defaults:", StringComparison.Ordinal));
        Assert.Contains(unknown.Diagnostics, d => d.Field.Contains("onTimeout", StringComparison.Ordinal));
    }
}
