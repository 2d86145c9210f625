using Vigil.Core.Observed;

namespace Vigil.Core.Planning;

public enum ChangeAction { Add, Edit, Delete }

/// <summary>One kernel request the IPVS plan makes: an add, an edit or a delete of one service or one destination.</summary>
public abstract record IpvsChange(IpvsServiceKey Service)
{
    public abstract ChangeAction Action { get; }

    /// <summary>"service" or "destination".</summary>
    public abstract string Subject { get; }

    /// <summary>The destination this change is about, or null for a service change.</summary>
    public virtual IpvsDestinationKey? Destination => null;

    /// <summary>One line without the +/~/- sign: what changes, with before and after for an edit.</summary>
    public abstract string Describe();

    public static char Sign(ChangeAction action) => action switch
    {
        ChangeAction.Add => '+',
        ChangeAction.Edit => '~',
        _ => '-',
    };

    // Sealed, so the derived records do not synthesize their own.
    public sealed override string ToString() => $"{Sign(Action)} {Describe()}";

    protected static string Format(IpvsServiceSettings settings)
    {
        var text = $"scheduler {settings.Scheduler}";
        if (settings.Flags.HasFlag(IpvsServiceFlags.Persistent))
        {
            text += $", persistent {settings.TimeoutSeconds}s /{settings.NetmaskPrefix}";
        }
        var others = settings.Flags & ~IpvsServiceFlags.Persistent;
        return others == IpvsServiceFlags.None ? text : $"{text}, flags {others}";
    }

    protected static string Format(IpvsDestinationSettings settings)
    {
        var text = $"{settings.Forwarding.ToString().ToUpperInvariant()}, weight {settings.Weight}";
        return settings.UpperThreshold == 0 && settings.LowerThreshold == 0
            ? text
            : $"{text}, thresholds {settings.LowerThreshold}-{settings.UpperThreshold}";
    }

    /// <summary>Only the fields that differ, as "field before -> after".</summary>
    protected static string Difference(string before, string after)
    {
        var left = before.Split(", ");
        var right = after.Split(", ");
        if (left.Length != right.Length)
        {
            return $"{before} -> {after}";
        }
        return string.Join(", ", left.Zip(right).Where(p => p.First != p.Second).Select(p => $"{p.First} -> {After(p.First, p.Second)}"));
    }

    // "weight 1" -> "weight 0" reads as "weight 1 -> 0".
    private static string After(string before, string after)
    {
        var space = before.LastIndexOf(' ');
        return space > 0 && after.StartsWith(before[..(space + 1)], StringComparison.Ordinal) ? after[(space + 1)..] : after;
    }
}

public sealed record AddService(IpvsServiceKey Service, IpvsServiceSettings Settings) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Add;
    public override string Subject => "service";
    public override string Describe() => $"service {Service}: {Format(Settings)}";
}

/// <summary>Scheduler, flags, persistence: an edit in place, so established connections survive.</summary>
public sealed record EditService(IpvsServiceKey Service, IpvsServiceSettings Before, IpvsServiceSettings After) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Edit;
    public override string Subject => "service";
    public override string Describe() => $"service {Service}: {Difference(Format(Before), Format(After))}";
}

/// <summary>The kernel removes the service's destinations with it.</summary>
public sealed record DeleteService(IpvsServiceKey Service, IpvsServiceSettings Before) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Delete;
    public override string Subject => "service";
    public override string Describe() => $"service {Service}";
}

public sealed record AddDestination(IpvsServiceKey Service, IpvsDestinationKey Key, IpvsDestinationSettings Settings) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Add;
    public override string Subject => "destination";
    public override IpvsDestinationKey? Destination => Key;
    public override string Describe() => $"destination {Key} of {Service}: {Format(Settings)}";
}

public sealed record EditDestination(IpvsServiceKey Service, IpvsDestinationKey Key, IpvsDestinationSettings Before, IpvsDestinationSettings After) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Edit;
    public override string Subject => "destination";
    public override IpvsDestinationKey? Destination => Key;
    public override string Describe() => $"destination {Key} of {Service}: {Difference(Format(Before), Format(After))}";
}

public sealed record DeleteDestination(IpvsServiceKey Service, IpvsDestinationKey Key, IpvsDestinationSettings Before) : IpvsChange(Service)
{
    public override ChangeAction Action => ChangeAction.Delete;
    public override string Subject => "destination";
    public override IpvsDestinationKey? Destination => Key;
    public override string Describe() => $"destination {Key} of {Service}";
}
