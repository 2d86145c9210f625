using System.Net;
using Vigil.Core.Desired;
using Vigil.Health.Probes;

namespace Vigil.Health.Tests;

/// <summary>keepalived's FILE_CHECK on a real file: strtol's forms, a missing file as 0, weight 0 as a switch, a weight moving the server's.</summary>
public sealed class FileCheckTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("vigil-file-check-").FullName, "weight");
    private static readonly ProbeTarget Nowhere = new(IPAddress.Loopback, 0);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Theory]
    [InlineData("12\n", 12)]
    [InlineData("  -7", -7)]
    [InlineData("0x1f", 31)]
    [InlineData("017", 15)]
    [InlineData("42 drain", 42)]
    [InlineData("drain", 0)]
    [InlineData("", 0)]
    public void Read_AsStrtolWithBaseZero(string text, long value)
    {
        File.WriteAllText(_file, text);
        Assert.Equal(value, FileProbe.Read(_file));
    }

    [Fact]
    public async Task WeightZero_IsASwitch_AndOtherWeightsMoveTheServersWeight()
    {
        var cancel = TestContext.Current.CancellationToken;
        Assert.Equal(0, FileProbe.Read(_file)); // missing: 0, as keepalived
        var @switch = new FileProbe(new FileCheckSpec { Path = _file, Weight = 0 }, serverWeight: 3);
        var reversed = new FileProbe(new FileCheckSpec { Path = _file, Weight = 0, Reverse = true }, serverWeight: 3);
        var drain = new FileProbe(new FileCheckSpec { Path = _file, Weight = -10 }, serverWeight: 30);

        Assert.True((await @switch.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel)).Up);
        Assert.False((await reversed.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel)).Up);
        Assert.Equal(ProbeResult.Success($"{_file}: 0, weight 30", 30), await drain.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel));

        File.WriteAllText(_file, "2\n");
        Assert.Equal(ProbeResult.Failure($"{_file}: 2"), await @switch.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel));
        Assert.True((await reversed.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel)).Up);
        Assert.Equal(10, (await drain.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel)).Weight);
        File.WriteAllText(_file, "5\n");
        Assert.Equal(0, (await drain.ProbeAsync(Nowhere, TimeSpan.FromSeconds(1), cancel)).Weight); // never below 0
    }
}
