using System.Globalization;
using System.Text;

namespace Vigil.Benchmarks;

/// <summary>
/// Writes a cluster of 1,000 VRRP instances and 1,000 virtual servers with 10 real servers each, spread over
/// 50 files, all valid, using documentation prefixes only.
/// </summary>
internal static class LargeConfig
{
    public static (int Files, long Bytes) Write(string directory, int instances, int servers, int realsPerServer, int files)
    {
        Directory.CreateDirectory(directory);
        var writers = Enumerable.Range(0, files).Select(_ => new StringBuilder()).ToArray();
        writers[0].Append(Cluster(interfaces: (instances + 249) / 250));
        for (var i = 0; i < instances; i++)
        {
            Document(writers[i % files], Instance(i));
        }
        for (var s = 0; s < servers; s++)
        {
            Document(writers[s % files], Server(s, realsPerServer));
        }
        long bytes = 0;
        for (var f = 0; f < files; f++)
        {
            var path = Path.Combine(directory, $"team-{f / 10:D2}", $"part-{f:D3}.yaml");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, writers[f].ToString());
            bytes += writers[f].Length;
        }
        return (files, bytes);
    }

    private static void Document(StringBuilder file, string document)
    {
        if (file.Length > 0)
        {
            file.Append("---\n");
        }
        file.Append(document);
    }

    private static string Cluster(int interfaces)
    {
        var text = new StringBuilder("apiVersion: vigil/v1\nkind: Cluster\nmetadata:\n  name: large\nspec:\n  defaults:\n    vrrpVersion: 3\n    advertInterval: 1s\n  nodes:\n");
        foreach (var (node, host) in new[] { ("ka1", 11), ("ka2", 12) })
        {
            text.Append(CultureInfo.InvariantCulture, $"    - name: {node}\n      interfaces:\n");
            for (var i = 0; i < interfaces; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"        - name: eth{i}\n          addresses: [\"2001:db8:{i}::{host}/64\"]\n");
            }
        }
        return text.ToString();
    }

    private static string Instance(int i) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: vi-{i}
        spec:
          interface: eth{i / 250}
          virtualRouterId: {i % 250 + 1}
          members:
            - node: ka1
              priority: {100 + i % 50}
            - node: ka2
              priority: {50 + i % 40}
          virtualAddresses:
            - address: 2001:db8:100::{i:x}/64

        """);

    private static string Server(int s, int reals)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: vs-{s}
            spec:
              address: 2001:db8:100::{s:x}
              port: {1024 + s % 60000}
              scheduler: wrr
              forwarding: NAT
              delayLoop: 5s
              realServers:

            """));
        for (var r = 0; r < reals; r++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"    - address: 2001:db8:200:{s:x}::{r + 1:x}\n      port: 8080\n      weight: {1 + r % 5}\n      healthCheck:\n        httpGet: {{path: /health, statusCode: 200}}\n        connectTimeout: 2s\n        retry: 2\n");
        }
        return text.ToString();
    }
}
