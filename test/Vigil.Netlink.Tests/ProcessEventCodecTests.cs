using Vigil.Netlink.Connector;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Tests;

/// <summary>
/// The process events connector's messages, as captured from Linux 6.18 (a python subscriber while `sh -c 'printf
/// vtp-renamed > /proc/$$/comm; /bin/true; exec /bin/true'` ran as pid 17736, child of 17664): the acknowledgement of
/// the subscription, then the fork, exec, rename and exit of that process.
/// </summary>
public sealed class ProcessEventCodecTests
{
    private const string Ack = "4c00000003000000e4140000000000000100000001000000e414000001000000280000000000000001000000e93e101c33040000000000000000000000000000000000000000000000000000";
    private const string Fork = "4c00000003000000e5140000000000000100000001000000e5140000000000002800000001000000010000009030131c33040000004500000045000048450000484500000000000000000000";
    private const string Exec = "4c00000003000000e6140000000000000100000001000000e614000000000000280000000200000001000000e06c2b1c33040000484500004845000000000000000000000000000000000000";
    // Written with echo, so the kernel keeps the newline in the name.
    private const string Comm = "4c00000003000000e7140000000000000100000001000000e714000000000000280000000002000001000000e0f75d1c3304000048450000484500007674702d72656e616d65640a00000000";
    private const string Exit = "4c00000003000000ec140000000000000100000001000000ec1400000000000028000000000000800100000034ab291d33040000484500004845000000000000110000000045000000450000";
    // A thread ending (pid 0x3626 of group 0x3614), from the same capture's neighbours.
    private const string ThreadExit = "4c000000030000000400000000000000010000000100000004000000000000002800000000000080000000009955e8e513040000263600001436000000000000ffffffff0000000000000000";

    private static ProcessEvent Read(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.True(NetlinkHeader.TryRead(bytes, out var header));
        Assert.Equal(NetlinkHeader.Done, header.Type);
        Assert.True(ProcessEventCodec.TryRead(bytes.AsSpan(NetlinkHeader.Size, (int)header.Length - NetlinkHeader.Size), out var e));
        return e;
    }

    [Fact]
    public void Subscribe_IsTheBytesTheKernelAcknowledged()
    {
        Assert.Equal("28000000030000000000000000000000010000000100000000000000000000000400000001000000",
            Convert.ToHexString(ProcessEventCodec.Subscribe(listen: true)).ToLowerInvariant());
        Assert.EndsWith("02000000", Convert.ToHexString(ProcessEventCodec.Subscribe(listen: false)).ToLowerInvariant());
    }

    [Fact]
    public void Acknowledgement_IsKindNoneWithAck()
    {
        var e = Read(Ack);
        Assert.Equal(ProcessEventKind.None, e.Kind);
        Assert.True(e.Ack);
        Assert.Equal(0x14e4u, e.Sequence);
    }

    [Fact]
    public void ForkExecCommExit_NameTheProcessAndItsParent()
    {
        Assert.Equal(new ProcessEvent(ProcessEventKind.Fork, 1, 0x14e5, false, 17736, 17736, 17664, 17664), Read(Fork));
        Assert.Equal(new ProcessEvent(ProcessEventKind.Exec, 1, 0x14e6, false, 17736, 17736), Read(Exec));
        Assert.Equal(new ProcessEvent(ProcessEventKind.Comm, 1, 0x14e7, false, 17736, 17736, Name: "vtp-renamed\n"), Read(Comm));
        Assert.Equal(new ProcessEvent(ProcessEventKind.Exit, 1, 0x14ec, false, 17736, 17736, 17664, 17664), Read(Exit));
        Assert.All(new[] { Fork, Exec, Comm, Exit }, hex => Assert.True(Read(hex).IsProcess));
    }

    [Fact]
    public void ThreadExit_IsNoProcessExit()
    {
        var e = Read(ThreadExit);
        Assert.Equal(ProcessEventKind.Exit, e.Kind);
        Assert.Equal((0x3626, 0x3614), (e.ProcessId, e.ThreadGroupId));
        Assert.False(e.IsProcess);
    }

    [Theory]
    [InlineData(20)] // the connector header alone
    [InlineData(40)] // a fork cut in its data
    public void Truncated_IsRefused(int length)
    {
        var bytes = Convert.FromHexString(Fork).AsSpan(NetlinkHeader.Size, length).ToArray();
        bytes[16] = (byte)(length - 20); // the length field agrees with what is there
        Assert.False(ProcessEventCodec.TryRead(bytes, out _));
    }

    [Fact]
    public void AnotherConnector_IsRefused()
    {
        var bytes = Convert.FromHexString(Exec)[NetlinkHeader.Size..];
        bytes[0] = 2; // not CN_IDX_PROC
        Assert.False(ProcessEventCodec.TryRead(bytes, out _));
    }
}
