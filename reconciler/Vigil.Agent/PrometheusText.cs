using System.Globalization;
using System.Text;

namespace Vigil.Agent;

/// <summary>
/// An agent's status (its JSON, as the status file and the HTTP endpoint carry it) in Prometheus' text exposition
/// format: the running commit, reconcile outcome and duration, per-instance state, priority and counters, and drift.
/// Works from the status document so that `vigil drift -o prometheus` on a status file and the agent's /metrics say the same.
/// </summary>
public static class PrometheusText
{
    private static readonly string[] States = ["Initialize", "Backup", "Master", "Fault"];

    public static string Of(StatusDocument status, bool driftOnly = false)
    {
        var text = new StringBuilder();
        var node = Label("node", status.Node);
        if (!driftOnly)
        {
            var source = status.Source;
            Metric(text, "vigil_commit_info", "gauge", "The commit the node runs (value 1).",
                [($"{node},{Label("commit", source.Commit ?? "")},{Label("last_good", source.LastGood ?? "")}", 1)]);
            Metric(text, "vigil_source_error", "gauge", "1 while the last fetch or the newest commit failed (see vigil status).",
                [(node, source.LastError is null ? 0 : 1)]);
            Metric(text, "vigil_reconcile_duration_seconds", "gauge", "How long the last reconcile that applied or refused a commit took.",
                [(node, (source.LastDurationMs ?? 0) / 1000)]);
            Metric(text, "vigil_not_applied", "gauge", "Changes of the running commit that could not be applied (retried).",
                [(node, source.NotApplied.Count)]);
            var instances = status.Instances;
            string Of(InstanceDocument i) => $"{node},{Label("instance", i.Name)}";
            Metric(text, "vigil_vrrp_state", "gauge", "1 for the state each instance is in.",
                [.. instances.SelectMany(i => States.Select(s => ($"{Of(i)},{Label("state", s.ToLowerInvariant())}", (double)(i.State == s ? 1 : 0))))]);
            Metric(text, "vigil_vrrp_priority", "gauge", "The priority in force (tracking included).", [.. instances.Select(i => (Of(i), (double)i.Priority))]);
            Metric(text, "vigil_vrrp_became_master_total", "counter", "Transitions to master.", [.. instances.Select(i => (Of(i), (double)i.BecameMaster))]);
            Metric(text, "vigil_vrrp_adverts_sent_total", "counter", "Adverts sent.", [.. instances.Select(i => (Of(i), (double)i.AdvertisementsSent))]);
            Metric(text, "vigil_vrrp_adverts_received_total", "counter", "Adverts received and accepted.", [.. instances.Select(i => (Of(i), (double)i.AdvertisementsReceived))]);
            Metric(text, "vigil_vrrp_address_list_mismatch_total", "counter", "Accepted adverts whose address list differs from this instance's.",
                [.. instances.Select(i => (Of(i), (double)i.AddressListMismatches))]);
            Metric(text, "vigil_instance_condition", "gauge", "1 while the instance's condition (ready, progressing, stalled) holds; every instance of the running commit has the three.",
                [.. status.Conditions.SelectMany(c => c.Value.Select(v =>
                    ($"{node},{Label("instance", c.Key)},{Label("condition", v.Type.ToLowerInvariant())}", (double)(v.Status ? 1 : 0))))]);
            Metric(text, "vigil_reconcile_stalled", "gauge", "1 while the last pass stalled (a refused commit): nothing changes until the source does.",
                [(node, source.LastPass?.Result == "stalled" ? 1 : 0)]);
            Metric(text, "vigil_real_server_up", "gauge", "1 while the real server's health check passes.",
                [.. status.RealServers.Select(r => ($"{node},{Label("virtual_server", r.VirtualServer)},{Label("real_server", r.RealServer)}", (double)(r.Up ? 1 : 0)))]);
        }
        var drift = status.Drift;
        Metric(text, "vigil_drift_items", "gauge", "Drift found by the last check, by kind.",
            [.. (drift?.Items ?? []).GroupBy(i => i.Kind).Select(g => ($"{node},{Label("kind", g.Key)}", (double)g.Count()))]);
        Metric(text, "vigil_drift_found_total", "counter", "Drift findings since the agent started, by kind.",
            [.. (drift?.Totals ?? new Dictionary<string, long>()).Select(t => ($"{node},{Label("kind", t.Key)}", (double)t.Value))]);
        if (drift is not null)
        {
            Metric(text, "vigil_drift_checked_timestamp_seconds", "gauge", "When the last drift check ran.",
                [(node, drift.CheckedAt.ToUnixTimeMilliseconds() / 1000.0)]);
        }
        return text.ToString();
    }

    private static void Metric(StringBuilder text, string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
        }
    }

    private static string Label(string name, string? value) =>
        $"{name}=\"{(value ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";
}
