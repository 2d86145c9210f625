using Serilog.Core;
using Serilog.Events;

namespace Vigil.Agent;

/// <summary>Adds the commit the node runs to every log event (transitions, health changes, drift), read when the event is written.</summary>
public sealed class CommitEnricher(Func<string?> commit) : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (commit() is { } sha)
        {
            logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("Commit", sha));
        }
    }
}
