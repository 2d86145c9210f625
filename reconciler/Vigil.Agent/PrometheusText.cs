using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Vigil.Agent;

/// <summary>
/// An agent's status (its JSON, as the status file and the HTTP endpoint carry it) in Prometheus' text exposition
/// format: the running commit, reconcile outcome and duration, per-instance state, priority and counters, and drift.
/// Works from the JSON so that `vigil drift -o prometheus` on a status file and the agent's /metrics say the same.
/// </summary>
public static class PrometheusText
{
    private static readonly string[] States = ["Initialize", "Backup", "Master", "Fault"];

    public static string Of(JsonObject status, bool driftOnly = false)
    {
        var text = new StringBuilder();
        var node = Label("node", (string?)status["node"]);
        if (!driftOnly)
        {
            var source = status["source"] as JsonObject;
            Metric(text, "vigil_commit_info", "gauge", "The commit the node runs (value 1).",
                [($"{node},{Label("commit", (string?)source?["commit"] ?? "")},{Label("last_good", (string?)source?["lastGood"] ?? "")}", 1)]);
            Metric(text, "vigil_source_error", "gauge", "1 while the last fetch or the newest commit failed (see vigil status).",
                [(node, source?["lastError"] is null ? 0 : 1)]);
            Metric(text, "vigil_reconcile_duration_seconds", "gauge", "How long the last reconcile that applied or refused a commit took.",
                [(node, ((double?)source?["lastDurationMs"] ?? 0) / 1000)]);
            Metric(text, "vigil_not_applied", "gauge", "Changes of the running commit that could not be applied (retried).",
                [(node, source?["notApplied"]?.AsArray().Count ?? 0)]);
            var instances = status["instances"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            string Of(JsonObject i) => $"{node},{Label("instance", (string?)i["name"])}";
            Metric(text, "vigil_vrrp_state", "gauge", "1 for the state each instance is in.",
                [.. instances.SelectMany(i => States.Select(s => ($"{Of(i)},{Label("state", s.ToLowerInvariant())}", (double)((string?)i["state"] == s ? 1 : 0))))]);
            Metric(text, "vigil_vrrp_priority", "gauge", "The priority in force (tracking included).", [.. instances.Select(i => (Of(i), (double)(int)i["priority"]!))]);
            Metric(text, "vigil_vrrp_became_master_total", "counter", "Transitions to master.", [.. instances.Select(i => (Of(i), (double)(long)i["becameMaster"]!))]);
            Metric(text, "vigil_vrrp_adverts_sent_total", "counter", "Adverts sent.", [.. instances.Select(i => (Of(i), (double)(long)i["advertisementsSent"]!))]);
            Metric(text, "vigil_vrrp_adverts_received_total", "counter", "Adverts received and accepted.", [.. instances.Select(i => (Of(i), (double)(long)i["advertisementsReceived"]!))]);
            Metric(text, "vigil_vrrp_address_list_mismatch_total", "counter", "Accepted adverts whose address list differs from this instance's.",
                [.. instances.Select(i => (Of(i), (double)((long?)i["addressListMismatches"] ?? 0)))]);
            var conditions = status["conditions"] as JsonObject ?? [];
            Metric(text, "vigil_instance_condition", "gauge", "1 while the instance's condition (ready, progressing, stalled) holds; every instance of the running commit has the three.",
                [.. conditions.SelectMany(c => (c.Value?.AsArray().OfType<JsonObject>() ?? []).Select(v =>
                    ($"{node},{Label("instance", c.Key)},{Label("condition", ((string?)v["type"])?.ToLowerInvariant())}", (double)((bool?)v["status"] == true ? 1 : 0))))]);
            Metric(text, "vigil_reconcile_stalled", "gauge", "1 while the last pass stalled (a refused commit): nothing changes until the source does.",
                [(node, (string?)source?["lastPass"]?["result"] == "stalled" ? 1 : 0)]);
            var reals = status["realServers"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            Metric(text, "vigil_real_server_up", "gauge", "1 while the real server's health check passes.",
                [.. reals.Select(r => ($"{node},{Label("virtual_server", (string?)r["virtualServer"])},{Label("real_server", (string?)r["realServer"])}", (double)((bool)r["up"]! ? 1 : 0)))]);
        }
        var drift = status["drift"] as JsonObject;
        var items = drift?["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        Metric(text, "vigil_drift_items", "gauge", "Drift found by the last check, by kind.",
            [.. items.GroupBy(i => (string?)i["kind"]).Select(g => ($"{node},{Label("kind", g.Key)}", (double)g.Count()))]);
        Metric(text, "vigil_drift_found_total", "counter", "Drift findings since the agent started, by kind.",
            [.. (drift?["totals"] as JsonObject ?? []).Select(t => ($"{node},{Label("kind", t.Key)}", (double)(long)t.Value!))]);
        if (drift?["checkedAt"] is { } checkedAt)
        {
            Metric(text, "vigil_drift_checked_timestamp_seconds", "gauge", "When the last drift check ran.",
                [(node, checkedAt.GetValue<DateTimeOffset>().ToUnixTimeMilliseconds() / 1000.0)]);
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
