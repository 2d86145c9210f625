using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>A virtual server group's members: an address (or range) with a port, or a fwmark; one family of addresses.</summary>
internal static class GroupRules
{
    /// <summary>False when a member is malformed, so the services it stands for cannot be listed.</summary>
    public static bool Check(Resource<VirtualServerSpec> server, VirtualServerGroupSpec group, DiagnosticBag bag)
    {
        var valid = true;
        IpFamily? family = null;
        for (var i = 0; i < group.Members.Count; i++)
        {
            var member = group.Members[i];
            var field = $"spec.group.members[{i}]";
            if ((member.Address is null) == (member.Fwmark is null))
            {
                bag.Error(server.Origin, field, "address-or-fwmark", "a member is an address (with port) or a fwmark, not both and not neither");
                valid = false;
                continue;
            }
            if (member.Fwmark is not null)
            {
                if (member.Port is not null || member.LastAddress is not null)
                {
                    bag.Error(server.Origin, field + (member.Port is not null ? ".port" : ".lastAddress"), "fwmark-port",
                        "a fwmark member matches by mark: remove port and lastAddress");
                }
                continue;
            }
            if (member.Port is null)
            {
                bag.Error(server.Origin, field + ".port", "port-missing", $"group member {member.Address} needs a port");
                valid = false;
            }
            var memberFamily = ResolvedVrrpInstance.FamilyOf(member.Address!);
            if (family is { } groupFamily && memberFamily != groupFamily)
            {
                bag.Error(server.Origin, field + ".address", "family-mismatch", $"group member {member.Address} is not {groupFamily} like the group's first address");
                valid = false;
            }
            family ??= memberFamily;
            if (member.LastAddress is { } last && member.Addresses().Count == 0)
            {
                bag.Error(server.Origin, field + ".lastAddress", "range",
                    $"{member.Address}-{last} is not a range of at most {GroupMemberSpec.MaxRange} addresses of one family, first to last");
                valid = false;
            }
        }
        return valid;
    }
}
