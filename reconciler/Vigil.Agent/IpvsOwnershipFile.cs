using System.Net;
using System.Text.Json;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Agent;

/// <summary>
/// The IPVS services Vigil made on this node, kept in the state directory (ipvs-owned.json) so that the agent and
/// `vigil apply` remove a service taken out of git but never one another tool made. No file: Vigil owns nothing yet.
/// </summary>
public static class IpvsOwnershipFile
{
    public const string FileName = "ipvs-owned.json";

    internal sealed record Entry(string Family, string Protocol, string? Address, ushort Port, uint Fwmark);

    public static IpvsOwnership Load(string path)
    {
        try
        {
            var entries = JsonSerializer.Deserialize(File.ReadAllText(path), IpvsOwnershipJson.Default.ListEntry) ?? [];
            return IpvsOwnership.Of(entries.Select(e => new IpvsServiceKey(Enum.Parse<IpFamily>(e.Family), Enum.Parse<IpvsProtocol>(e.Protocol),
                e.Address is null ? null : IPAddress.Parse(e.Address), e.Port, e.Fwmark)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return IpvsOwnership.Of([]);
        }
    }

    /// <summary>Writes beside and renames, so a crash leaves the old list or the new one, never half of one.</summary>
    public static void Save(string path, IpvsOwnership owned)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var entries = owned.Services.Select(k => new Entry(k.Family.ToString(), k.Protocol.ToString(), k.Address?.ToString(), k.Port, k.Fwmark)).ToList();
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(entries, IpvsOwnershipJson.Default.ListEntry));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

/// <summary>The ownership file's serialiser, generated at build time (no reflection: the agent also runs as a NativeAOT binary).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<IpvsOwnershipFile.Entry>))]
internal sealed partial class IpvsOwnershipJson : System.Text.Json.Serialization.JsonSerializerContext;
