using Vigil.Source;

namespace Vigil.Source.Tests;

internal static class Loading
{
    public static LoadResult Text(string yaml, string file = "test.yaml") => new DesiredStateLoader().Load([(file, yaml)]);

    /// <summary>Loads a folder with paths shown relative to it, so expectations do not depend on where tests run.</summary>
    public static LoadResult Folder(string root) =>
        new DesiredStateLoader().Load(DesiredStateLoader.EnumerateYaml(root).Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f))));

    /// <summary>A VrrpInstance on ka1 (100) and ka2 (80) with one VIP; <paramref name="extra"/> adds spec fields (indented by two).</summary>
    public static string Instance(string name, int vrid, string address, string extra = "") => $"""
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: {name}
        spec:
          virtualRouterId: {vrid}
          members:
            - node: ka1
              priority: 100
            - node: ka2
              priority: 80
          virtualAddresses:
            - address: {address}
        {extra}
        """;

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public const string Cluster = """
        apiVersion: vigil/v1
        kind: Cluster
        metadata:
          name: lab
        spec:
          defaults:
            interface: eth0
          nodes:
            - name: ka1
              interfaces:
                - name: eth0
                  addresses: [198.51.100.11/24]
            - name: ka2
              interfaces:
                - name: eth0
                  addresses: [198.51.100.12/24]
        ---

        """;
}
