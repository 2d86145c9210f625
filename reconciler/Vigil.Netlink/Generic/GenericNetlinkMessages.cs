using System.Buffers.Binary;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Generic;

/// <summary>
/// Generic netlink (linux/genetlink.h): after the netlink header, struct genlmsghdr (command, version, 2 reserved
/// bytes), then attributes. Families such as IPVS get their message type (the family id) from the controller.
/// </summary>
public static class GenericNetlinkMessages
{
    public const int HeaderSize = 4;

    /// <summary>GENL_ID_CTRL: the controller's fixed family id.</summary>
    public const ushort ControllerFamily = 16;

    private const byte CtrlCmdGetFamily = 3;
    private const byte CtrlVersion = 2;
    private const ushort CtrlAttrFamilyId = 1;
    private const ushort CtrlAttrFamilyName = 2;

    /// <summary>Starts a request to <paramref name="family"/>: the caller adds attributes and finishes it.</summary>
    public static NetlinkMessageWriter Begin(byte command, byte version, int capacity = 256) =>
        new NetlinkMessageWriter(capacity).Raw([command, version, 0, 0]);

    /// <summary>CTRL_CMD_GETFAMILY by name: the reply carries the family id.</summary>
    public static ReadOnlyMemory<byte> FamilyRequest(string name, uint sequence) =>
        Begin(CtrlCmdGetFamily, CtrlVersion).Attribute(CtrlAttrFamilyName, name).Finish(ControllerFamily, NetlinkFlags.Request, sequence);

    public static bool TryParseFamily(NetlinkMessage message, out ushort familyId)
    {
        familyId = 0;
        var attributes = Attributes(message);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type == CtrlAttrFamilyId && attribute.Value.Length >= 2)
            {
                familyId = BinaryPrimitives.ReadUInt16LittleEndian(attribute.Value);
                return true;
            }
        }
        return false;
    }

    /// <summary>The attributes after struct genlmsghdr (none when the payload is shorter).</summary>
    public static NetlinkAttributeReader Attributes(NetlinkMessage message) =>
        new(message.Payload.Length >= HeaderSize ? message.Payload[HeaderSize..] : []);

    /// <summary>Looks a family up by name; null when the kernel has none of that name (ENOENT).</summary>
    public static ushort? ResolveFamily(NetlinkSocket socket, string name)
    {
        try
        {
            var ids = socket.Dump<ushort>(FamilyRequest(name, socket.NextSequence()), TryParseFamily, $"resolve generic netlink family {name}");
            return ids.Count > 0 ? ids[0] : null;
        }
        catch (NetlinkException e) when (e.Errno == 2)
        {
            return null;
        }
    }
}
