using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Rtnetlink;

/// <summary>A rule's action (linux/fib_rules.h FR_ACT_*).</summary>
public enum RuleAction : byte { Table = 1, Blackhole = 6, Unreachable = 7, Prohibit = 8 }

/// <summary>
/// A policy-routing rule as Vigil puts it on the kernel and reads it back (RTM_NEWRULE). A rule given no priority gets
/// one from the kernel, so <see cref="Matches"/> (not equality) says whether an observed rule is a desired one.
/// </summary>
public sealed record KernelRule(
    AddressFamily Family, IPAddress? From, int FromLength, IPAddress? To, int ToLength, RuleAction Action, uint Table,
    uint? Priority, uint? FwMark, uint? FwMask, string? InputInterface, string? OutputInterface, bool Invert, byte Protocol)
{
    /// <summary>The kernel's mask for a mark given alone (all bits).</summary>
    public uint? EffectiveFwMask => FwMark is null ? FwMask : FwMask ?? uint.MaxValue;

    /// <summary>Whether <paramref name="observed"/> is this rule (the same but for a priority this one leaves to the kernel).</summary>
    public bool Matches(KernelRule observed) =>
        this with { Priority = Priority ?? observed.Priority, FwMask = EffectiveFwMask } == observed with { FwMask = observed.EffectiveFwMask };

    public override string ToString() =>
        (Invert ? "not " : "") + (From is null ? "" : $"from {From}/{FromLength} ") + (To is null ? "" : $"to {To}/{ToLength} ")
        + (FwMark is { } mark ? $"fwmark {mark:x}/{EffectiveFwMask:x} " : "") + (InputInterface is null ? "" : $"iif {InputInterface} ")
        + (OutputInterface is null ? "" : $"oif {OutputInterface} ") + (Priority is { } p ? $"priority {p} " : "")
        + (Action == RuleAction.Table ? $"table {Table}" : Action.ToString().ToLowerInvariant());
}

/// <summary>RTM_*RULE requests and replies: struct fib_rule_hdr (12 bytes), then FRA_* attributes (linux/fib_rules.h).</summary>
public static class RuleMessages
{
    public const ushort NewRule = 32;
    public const ushort DeleteRule = 33;
    public const ushort GetRule = 34;

    private const ushort FraDestination = 1;
    private const ushort FraSource = 2;
    private const ushort FraInputInterface = 3;
    private const ushort FraPriority = 6;
    private const ushort FraFwMark = 10;
    private const ushort FraTable = 15;
    private const ushort FraFwMask = 16;
    private const ushort FraOutputInterface = 17;
    private const ushort FraProtocol = 21;
    private const uint InvertFlag = 0x2; // FIB_RULE_INVERT
    private const int HeaderSize = 12;

    public static ReadOnlyMemory<byte> DumpRequest(uint sequence) =>
        new NetlinkMessageWriter(64).Raw(new byte[HeaderSize]).Finish(GetRule, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    /// <summary>Add (NLM_F_CREATE | NLM_F_EXCL: the same rule already there is EEXIST) or delete.</summary>
    public static ReadOnlyMemory<byte> ChangeRequest(bool add, KernelRule rule, uint sequence)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        header[0] = RouteMessages.Family(rule.Family);
        header[1] = (byte)rule.ToLength;
        header[2] = (byte)rule.FromLength;
        header[4] = rule.Table < 256 ? (byte)rule.Table : (byte)0;
        header[7] = (byte)rule.Action;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], rule.Invert ? InvertFlag : 0);
        var writer = new NetlinkMessageWriter(192).Raw(header);
        if (rule.Action == RuleAction.Table)
        {
            writer.Attribute(FraTable, rule.Table);
        }
        if (rule.From is { } from)
        {
            writer.Attribute(FraSource, from.GetAddressBytes());
        }
        if (rule.To is { } to)
        {
            writer.Attribute(FraDestination, to.GetAddressBytes());
        }
        if (rule.Priority is { } priority)
        {
            writer.Attribute(FraPriority, priority);
        }
        if (rule.FwMark is { } mark)
        {
            writer.Attribute(FraFwMark, mark).Attribute(FraFwMask, rule.EffectiveFwMask!.Value);
        }
        if (rule.InputInterface is { } input)
        {
            writer.Attribute(FraInputInterface, input);
        }
        if (rule.OutputInterface is { } output)
        {
            writer.Attribute(FraOutputInterface, output);
        }
        writer.Attribute(FraProtocol, [rule.Protocol]);
        var flags = NetlinkFlags.Request | NetlinkFlags.Ack | (add ? NetlinkFlags.Create | NetlinkFlags.Excl : NetlinkFlags.None);
        return writer.Finish(add ? NewRule : DeleteRule, flags, sequence);
    }

    /// <summary>A rule of the dump, with the actions Vigil adds; others (goto, nop) are passed over.</summary>
    public static bool TryParse(NetlinkMessage message, out KernelRule rule)
    {
        rule = null!;
        try
        {
            return message.Header.Type == NewRule && TryRead(message.Payload, out rule);
        }
        catch (NetlinkFormatException)
        {
            return false;
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> payload, out KernelRule rule)
    {
        rule = null!;
        if (payload.Length < HeaderSize || payload[0] is not (2 or 10) || !Enum.IsDefined((RuleAction)payload[7]))
        {
            return false;
        }
        IPAddress? from = null, to = null;
        uint? priority = null, mark = null, mask = null;
        string? input = null, output = null;
        uint table = payload[4];
        byte protocol = 0;
        var attributes = new NetlinkAttributeReader(payload[HeaderSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case FraSource:
                    from = attribute.AsAddress();
                    break;
                case FraDestination:
                    to = attribute.AsAddress();
                    break;
                case FraPriority:
                    priority = attribute.AsUInt32();
                    break;
                case FraFwMark:
                    mark = attribute.AsUInt32();
                    break;
                case FraFwMask:
                    mask = attribute.AsUInt32();
                    break;
                case FraTable:
                    table = attribute.AsUInt32();
                    break;
                case FraInputInterface:
                    input = attribute.AsString();
                    break;
                case FraOutputInterface:
                    output = attribute.AsString();
                    break;
                case FraProtocol:
                    protocol = attribute.Sized(1)[0];
                    break;
            }
        }
        var action = (RuleAction)payload[7];
        rule = new KernelRule(payload[0] == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork,
            from, from is null ? 0 : payload[2], to, to is null ? 0 : payload[1], action, action == RuleAction.Table ? table : 0,
            priority, mark, mark is null ? null : mask, input, output, (BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]) & InvertFlag) != 0, protocol);
        return true;
    }
}
