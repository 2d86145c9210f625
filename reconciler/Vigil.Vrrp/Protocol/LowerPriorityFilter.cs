using System.Buffers.Binary;

namespace Vigil.Vrrp.Protocol;

/// <summary>
/// What a preempting backup's receive socket may drop in the kernel: its own VRID's adverts of a priority between 1
/// and one below its own, which RFC 5798 (6.4.2) has it discard anyway. Under a forged flood (anyone on the segment can
/// send 50,000 a second) the socket's queue otherwise fills with them and the master's own adverts are lost with the
/// overflow, so the backup takes over by mistake. Priority 0, other VRIDs, other versions and anything malformed still
/// reach the codec and its counters.
/// </summary>
/// <param name="VirtualRouterId">The instance's VRID.</param>
/// <param name="Version">The instance's VRRP version: only adverts of that version and type are dropped.</param>
/// <param name="Below">Adverts with 0 &lt; priority &lt; this are dropped; 1 or less drops nothing.</param>
public sealed record LowerPriorityFilter(byte VirtualRouterId, int Version, int Below)
{
    /// <summary>A classic BPF instruction (struct sock_filter): code, jump if true, jump if false, constant.</summary>
    public const int InstructionLength = 8;

    // linux/filter.h: the instruction classes and modes this program uses.
    private const ushort LoadByteIndexed = 0x50;      // BPF_LD | BPF_B | BPF_IND: A = packet[X + k]
    private const ushort LoadHeaderLength = 0xb1;     // BPF_LDX | BPF_B | BPF_MSH: X = 4 * (packet[k] & 0xf)
    private const ushort LoadZeroIndex = 0x01;        // BPF_LDX | BPF_W | BPF_IMM: X = k
    private const ushort JumpIfEqual = 0x15;          // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpIfAtLeast = 0x35;        // BPF_JMP | BPF_JGE | BPF_K
    private const ushort Return = 0x06;               // BPF_RET | BPF_K: how many bytes to keep, 0 drops

    private const int AdvertisementType = 1; // RFC 5798 5.2.2, the only type there is

    /// <summary>Whether the filter drops anything at all (a socket without one is cheaper and sees every packet).</summary>
    public bool DropsAny => Below > 1;

    /// <summary>
    /// The program for a socket whose packets start at the IPv4 header (raw IPv4: its length is read from the packet)
    /// or at the VRRP header (raw IPv6, which delivers the payload alone).
    /// </summary>
    public byte[] Program(bool startsWithIpv4Header)
    {
        var typeAndVersion = (uint)((Version << 4) | AdvertisementType);
        // A load past the packet's end ends a classic BPF program with 0: a truncated packet is dropped, which only
        // happens while a filter is attached, that is while such packets would have been discarded anyway.
        (ushort, byte, byte, uint)[] program =
        [
            (startsWithIpv4Header ? LoadHeaderLength : LoadZeroIndex, 0, 0, 0), // X: where the VRRP header starts
            (LoadByteIndexed, 0, 0, 0),                        // version and type
            (JumpIfEqual, 0, 6, typeAndVersion),               // else accept
            (LoadByteIndexed, 0, 0, 1),                        // VRID
            (JumpIfEqual, 0, 4, VirtualRouterId),              // else accept
            (LoadByteIndexed, 0, 0, 2),                        // priority
            (JumpIfEqual, 2, 0, 0),                            // priority 0 (a master leaving): accept
            (JumpIfAtLeast, 1, 0, (uint)Math.Clamp(Below, 0, 256)), // at least ours: accept
            (Return, 0, 0, 0),                                 // drop
            (Return, 0, 0, uint.MaxValue),                     // accept the whole packet
        ];
        var bytes = new byte[program.Length * InstructionLength];
        for (var i = 0; i < program.Length; i++)
        {
            var (code, jumpTrue, jumpFalse, constant) = program[i];
            var at = bytes.AsSpan(i * InstructionLength);
            // struct sock_filter is in host byte order.
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(at, code);
                BinaryPrimitives.WriteUInt32LittleEndian(at[4..], constant);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(at, code);
                BinaryPrimitives.WriteUInt32BigEndian(at[4..], constant);
            }
            at[2] = jumpTrue;
            at[3] = jumpFalse;
        }
        return bytes;
    }
}
