namespace Vigil.Core.Desired;

/// <summary>The settings of an instance after cluster defaults and derivations are applied.</summary>
public sealed record ResolvedVrrpInstance(string? Interface, int Version, IpFamily Family, TimeSpan AdvertInterval)
{
    public static ResolvedVrrpInstance From(VrrpInstanceSpec spec, ClusterDefaults defaults) => new(
        spec.Interface ?? defaults.Interface,
        spec.Version ?? defaults.VrrpVersion,
        spec.Family ?? FamilyOf(spec.VirtualAddresses),
        spec.AdvertInterval ?? defaults.AdvertInterval);

    public static IpFamily FamilyOf(IEnumerable<VirtualAddressSpec> addresses) =>
        addresses.Select(a => a.Address.Address.IsV6() ? IpFamily.IPv6 : IpFamily.IPv4).FirstOrDefault();

    public static IpFamily FamilyOf(System.Net.IPAddress address) => address.IsV6() ? IpFamily.IPv6 : IpFamily.IPv4;
}
