namespace Vigil.Fuzz.Targets;

/// <summary>
/// One place hostile bytes reach: <see cref="Run"/> hands them to the product's code, which must answer (a verdict, a
/// diagnostic, a failed probe) and never throw. Any exception that escapes is a finding.
/// </summary>
public interface IFuzzTarget
{
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}

/// <summary>
/// Every target, by name (the name is also its corpus folder under test/fuzz). Made only when asked for: under afl,
/// no instrumented code may run before SharpFuzz has set up the coverage map, and a target's constructor runs some.
/// </summary>
public static class FuzzTargets
{
    private static readonly Dictionary<string, Func<IFuzzTarget>> Factories = new(StringComparer.Ordinal)
    {
        ["vrrp"] = () => new VrrpTarget(),
        ["rtnetlink"] = () => new RtnetlinkTarget(),
        ["ipvs"] = () => new IpvsTarget(),
        ["yaml"] = () => new YamlTarget(),
        ["dns"] = () => new DnsTarget(),
        ["http"] = () => new HttpProbeTarget(),
        ["smtp"] = () => new SmtpProbeTarget(),
        ["keepalived"] = () => new KeepalivedTarget(),
        ["policy"] = () => new PolicyTarget(),
    };

    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    public static IFuzzTarget? Create(string name) => Factories.TryGetValue(name, out var create) ? create() : null;

    /// <summary>Runs each file through <paramref name="target"/> once; what escaped, by file.</summary>
    public static IReadOnlyList<(string File, Exception Escaped)> Replay(IFuzzTarget target, IEnumerable<string> files)
    {
        var escaped = new List<(string, Exception)>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // any exception that escapes is the finding
            catch (Exception e)
#pragma warning restore CA1031
            {
                escaped.Add((file, e));
            }
        }
        return escaped;
    }
}
