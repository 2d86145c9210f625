using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// This host's kernel has no IPVS: boot a guest kernel (<see cref="GuestKernel"/>) and run this very test executable there, filtered to the
/// tests that carry the guest trait. Every one of them must pass, none skipped.
/// </summary>
public sealed class GuestRunTests
{
    [Fact]
    public void InGuestKernel_GuestTestsPass()
    {
        var output = GuestTestRun.Run(Path.Combine(AppContext.BaseDirectory, "Vigil.Ipvs.Tests"), IpvsGuest.Trait, IpvsGuest.Value);

        TestContext.Current.TestOutputHelper?.WriteLine(output);
    }
}
