using Vigil.Core.Desired;

namespace Vigil.Core.Tests.Desired;

public class ValueListTests
{
    [Fact]
    public void RecordsHoldingLists_WithTheSameItems_AreEqual()
    {
        var a = TestStates.Instance();
        var b = TestStates.Instance();
        Assert.NotSame(a.Members, b.Members);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void RecordsHoldingLists_WithADifferentItem_AreNotEqual()
    {
        var a = TestStates.Instance();
        var b = a with { VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.101/24") }] };
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Resources_DifferingOnlyInWhereTheyWereWritten_AreEqual()
    {
        var a = new Resource<VrrpInstanceSpec>("vi_1", TestStates.Instance(), SourceOrigin.None);
        var b = a with { Origin = new SourceOrigin("other.yaml", new SourcePosition(3, 1), new Dictionary<string, SourcePosition>()) };
        Assert.Equal(a, b);
    }
}
