using System.Buffers.Binary;
using System.Text;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Connector;

/// <summary>The process events the kernel reports (linux/cn_proc.h, enum what); those Vigil reads are named.</summary>
public enum ProcessEventKind : uint
{
    /// <summary>An acknowledgement of a (un)subscription.</summary>
    None = 0,
    Fork = 0x1,
    Exec = 0x2,
    Comm = 0x200,
    Exit = 0x80000000,
}

/// <summary>
/// One process event. Fork: the child and its parent; Exec and Comm: the process (Comm: its new name); Exit: the
/// process and its parent. Ids are process ids in the initial pid namespace; a thread's id differs from its group's.
/// </summary>
public readonly record struct ProcessEvent(ProcessEventKind Kind, int Cpu, uint Sequence, bool Ack, int ProcessId, int ThreadGroupId,
    int ParentId = 0, int ParentThreadGroupId = 0, string? Name = null)
{
    /// <summary>A process (its main thread), not another thread of one: the only events process tracking counts.</summary>
    public bool IsProcess => ProcessId == ThreadGroupId;
}

/// <summary>
/// The process events connector (NETLINK_CONNECTOR, CN_IDX_PROC): the subscription message and the events, as
/// struct cn_msg (20 bytes: id.idx, id.val, seq, ack, len, flags) and struct proc_event (what, cpu, timestamp, data)
/// after the netlink header. Host byte order, which is little-endian wherever Vigil runs.
/// </summary>
public static class ProcessEventCodec
{
    public const int Protocol = 11; // NETLINK_CONNECTOR
    public const uint Group = 1;    // CN_IDX_PROC, as a multicast group bit
    private const uint Index = 1;   // CN_IDX_PROC
    private const uint Value = 1;   // CN_VAL_PROC
    private const int MessageSize = 20;
    private const int EventHeader = 16; // what, cpu, timestamp_ns
    private const int CommLength = 16;

    /// <summary>PROC_CN_MCAST_LISTEN (or _IGNORE): the kernel answers with an event of kind None and Ack set.</summary>
    public static byte[] Subscribe(bool listen)
    {
        var message = new byte[NetlinkHeader.Size + MessageSize + 4];
        new NetlinkHeader((uint)message.Length, NetlinkHeader.Done, NetlinkFlags.None, 0, 0).Write(message);
        var body = message.AsSpan(NetlinkHeader.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(body, Index);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], Value);
        BinaryPrimitives.WriteUInt16LittleEndian(body[16..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(body[MessageSize..], listen ? 1u : 2u);
        return message;
    }

    /// <summary>Reads the event in a message's payload (after the netlink header); false for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out ProcessEvent value)
    {
        value = default;
        if (payload.Length < MessageSize + EventHeader
            || BinaryPrimitives.ReadUInt32LittleEndian(payload) != Index
            || BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]) != Value)
        {
            return false;
        }
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var ack = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]) != 0;
        var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[16..]);
        if (length < EventHeader || payload.Length < MessageSize + length)
        {
            return false;
        }
        var e = payload.Slice(MessageSize, length);
        var kind = (ProcessEventKind)BinaryPrimitives.ReadUInt32LittleEndian(e);
        var cpu = BinaryPrimitives.ReadInt32LittleEndian(e[4..]);
        var data = e[EventHeader..];
        ProcessEvent? read = kind switch
        {
            ProcessEventKind.Fork when data.Length >= 16 => new ProcessEvent(kind, cpu, sequence, ack, Int(data, 2), Int(data, 3), Int(data, 0), Int(data, 1)),
            ProcessEventKind.Exec when data.Length >= 8 => new ProcessEvent(kind, cpu, sequence, ack, Int(data, 0), Int(data, 1)),
            ProcessEventKind.Comm when data.Length >= 8 + CommLength => new ProcessEvent(kind, cpu, sequence, ack, Int(data, 0), Int(data, 1), Name: Comm(data.Slice(8, CommLength))),
            ProcessEventKind.Exit when data.Length >= 24 => new ProcessEvent(kind, cpu, sequence, ack, Int(data, 0), Int(data, 1), Int(data, 4), Int(data, 5)),
            ProcessEventKind.Fork or ProcessEventKind.Exec or ProcessEventKind.Comm or ProcessEventKind.Exit => null, // truncated
            _ => new ProcessEvent(kind, cpu, sequence, ack, 0, 0), // an event Vigil does not read (uid, gid, ptrace...)
        };
        value = read ?? default;
        return read is not null;
    }

    private static int Int(ReadOnlySpan<byte> data, int index) => BinaryPrimitives.ReadInt32LittleEndian(data[(index * 4)..]);

    /// <summary>The name as the kernel keeps it: up to the first NUL, and as written (a name set with echo keeps its newline).</summary>
    private static string Comm(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
