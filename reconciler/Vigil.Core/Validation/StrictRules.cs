using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>
/// keepalived's vrrp_strict (Cluster defaults.strict): what RFC 5798 leaves out is refused, each at its field, as
/// keepalived 2.2.7 refuses it; and accept mode, which RFC 3768 (VRRPv2) does not have, only with version 3.
/// </summary>
internal static class StrictRules
{
    public static void Check(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved, ClusterDefaults defaults, DiagnosticBag bag)
    {
        var spec = instance.Spec;
        if (!defaults.Strict)
        {
            return;
        }
        void Refuse(string field, string rule, string why) => bag.Error(instance.Origin, field, rule, $"strict (Cluster defaults.strict): {why}");
        if (spec.VirtualAddresses.Count == 0)
        {
            Refuse("spec.virtualAddresses", "strict-vips", "an instance needs at least one virtual address");
        }
        if (spec.Transport == VrrpTransport.Unicast)
        {
            Refuse("spec.transport", "strict-unicast", "VRRP is multicast: unicast is not allowed");
        }
        if (spec.Authentication is not null)
        {
            Refuse("spec.authentication", "strict-auth", "authentication is not in VRRP (RFC 5798 removed it)");
        }
        if (spec.PreemptDelay > TimeSpan.Zero)
        {
            Refuse("spec.preemptDelay", "strict-preempt-delay", "preemptDelay is not in VRRP");
        }
        if (spec.Accept == true && resolved.Version == 2 && spec.Members.Any(m => m.Priority != 255))
        {
            Refuse("spec.accept", "strict-accept-v2", "accept mode is VRRPv3's (RFC 3768 has none): set version 3 or remove accept");
        }
        if (resolved.Family == IpFamily.IPv6 && spec.VirtualAddresses.Count > 0 && spec.VirtualAddresses[0] is var first && !first.Address.Address.IsIPv6LinkLocal)
        {
            Refuse("spec.virtualAddresses[0].address", "strict-link-local", $"an IPv6 instance's first virtual address must be link-local (fe80::/10), not {first.Address}");
        }
    }
}
