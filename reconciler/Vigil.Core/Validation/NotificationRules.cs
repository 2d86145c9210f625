using System.Net.Mail;
using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>
/// Notification settings a schema cannot check: the email sender and recipients must be addresses a mail library can
/// parse, or every email would be dropped at send time, long after the commit was applied.
/// </summary>
internal static class NotificationRules
{
    public static void Check(Resource<ClusterSpec> cluster, DiagnosticBag bag)
    {
        // keepalived's rule: each FIFO its own path (one pipe written as two would mix its lines up).
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, fifo) in cluster.Spec.Notification?.Fifos() ?? [])
        {
            if (!paths.TryAdd(fifo.Path, field))
            {
                bag.Error(cluster.Origin, $"spec.notification.{field}.path", "fifo-unique", $"{fifo.Path} is already notification.{paths[fifo.Path]}'s FIFO: give each its own");
            }
        }
        if (cluster.Spec.Notification?.Email is not { } email)
        {
            return;
        }
        if (!IsAddress(email.From))
        {
            bag.Error(cluster.Origin, "spec.notification.email.from", "invalid-email", $"'{email.From}' is not an email address (such as vigil@example.org)");
        }
        for (var i = 0; i < email.To.Count; i++)
        {
            if (!IsAddress(email.To[i]))
            {
                bag.Error(cluster.Origin, $"spec.notification.email.to[{i}]", "invalid-email", $"'{email.To[i]}' is not an email address (such as ops@example.org)");
            }
        }
    }

    // One plain address (a display name allowed), not a list: the notifier parses each entry as one mailbox.
    private static bool IsAddress(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Host.Length > 0 && !text.Contains(',', StringComparison.Ordinal);
}
