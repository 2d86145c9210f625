using System.Net;
using Vigil.Agent;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent.Tests;

public sealed class AddressDriftClassifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly InterfaceAddress Vip = new(2, IPAddress.Parse("198.51.100.100"), 24, 0, null);
    private static readonly InterfaceAddress Other = new(2, IPAddress.Parse("198.51.100.77"), 24, 0, null);

    private static ManagedAddresses Instance(bool master) => new("vi_1", master, new HashSet<int> { 2 }, [Vip]);

    [Theory]
    [InlineData(true, true)]   // a master adding its VIP
    [InlineData(false, false)] // a backup releasing its VIP
    public void Classify_TheAgentsOwnMove_IsNotDrift(bool added, bool master) =>
        Assert.Null(AddressDriftClassifier.Classify(new AddressEvent(added, Vip), [Instance(master)], Now));

    [Fact]
    public void Classify_VipRemovedWhileMaster_IsVipRemovedFromMaster()
    {
        var drift = AddressDriftClassifier.Classify(new AddressEvent(false, Vip), [Instance(master: true)], Now);

        Assert.Equal(new AddressDrift(AddressDriftKind.VipRemovedFromMaster, "vi_1", new AddressEvent(false, Vip), Now), drift);
    }

    [Fact]
    public void Classify_VipAddedWhileBackup_IsVipAddedOutsideMaster_EvenWithAnotherPrefixLength()
    {
        var added = new AddressEvent(true, Vip with { PrefixLength = 32 });

        Assert.Equal(AddressDriftKind.VipAddedOutsideMaster, AddressDriftClassifier.Classify(added, [Instance(master: false)], Now)?.Kind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Classify_OtherAddressOnAManagedInterface_IsUnmanagedAddressChanged(bool added)
    {
        var drift = AddressDriftClassifier.Classify(new AddressEvent(added, Other), [Instance(master: true)], Now);

        Assert.Equal(AddressDriftKind.UnmanagedAddressChanged, drift?.Kind);
        Assert.Equal("vi_1", drift?.Instance);
    }

    [Fact]
    public void Classify_ElsewhereOrKernelLinkLocal_IsNotDrift()
    {
        var elsewhere = new AddressEvent(true, Other with { InterfaceIndex = 7 });
        var linkLocal = new AddressEvent(true, new InterfaceAddress(2, IPAddress.Parse("fe80::1"), 64, 253, null));
        var vipOnAnotherInterface = new AddressEvent(true, Vip with { InterfaceIndex = 7 });

        Assert.Null(AddressDriftClassifier.Classify(elsewhere, [Instance(master: true)], Now));
        Assert.Null(AddressDriftClassifier.Classify(linkLocal, [Instance(master: true)], Now));
        Assert.Null(AddressDriftClassifier.Classify(vipOnAnotherInterface, [Instance(master: false)], Now));
    }
}
