namespace Vigil.Lab.Chaos;

/// <summary>One node's run of adverts with a priority, no gap in it longer than a backup waits (Master_Down_Interval).</summary>
public sealed record Mastership(string Mac, double From, double To);

/// <summary>What a fault did to the pair, in figures: from the wire (adverts) and from the nodes' kernels (who held the VIP).</summary>
public sealed record ChaosFigures(
    int Takeovers,
    TimeSpan LongestDualMaster,
    TimeSpan LongestWithoutVip,
    TimeSpan LongestVipOnTwo,
    TimeSpan WorstAdvertLateness,
    TimeSpan Percentile99AdvertLateness)
{
    /// <summary>
    /// The figures of the window [<paramref name="from"/>, <paramref name="to"/>]: a takeover is each mastership that
    /// starts after the window's first; two masters is the longest time two masterships overlap; an advert's lateness
    /// is how much longer than the advert interval its master waited after its previous one.
    /// </summary>
    public static ChaosFigures Of(IReadOnlyList<WireEvent> wire, IReadOnlyList<HoldChange> holds, double from, double to,
        TimeSpan advertInterval, TimeSpan masterDownInterval)
    {
        // Whoever advertised within a Master_Down_Interval before the window is master when it opens.
        var masterships = Masterships(wire, from - masterDownInterval.TotalSeconds, to, masterDownInterval.TotalSeconds);
        var dual = 0.0;
        for (var i = 0; i < masterships.Count; i++)
        {
            for (var j = i + 1; j < masterships.Count; j++)
            {
                if (masterships[i].Mac != masterships[j].Mac)
                {
                    dual = Math.Max(dual, Math.Min(masterships[i].To, masterships[j].To) - Math.Max(masterships[i].From, masterships[j].From));
                }
            }
        }
        // A gap in which a higher-priority router advertised is a new mastership, not a late advert: the node stepped
        // down and took over again within a Master_Down_Interval (a backup under a lossy link does).
        var adverts = wire.Where(e => e.Kind == WireKind.Advert && e.Priority > 0 && e.Time >= from && e.Time <= to).OrderBy(e => e.Time).ToArray();
        var times = adverts.Select(e => e.Time).ToArray();
        bool HigherBetween(WireEvent a, WireEvent b)
        {
            var i = Array.BinarySearch(times, a.Time);
            for (i = i < 0 ? ~i : i; i < adverts.Length && adverts[i].Time < b.Time; i++)
            {
                if (adverts[i].Mac != a.Mac && adverts[i].Priority > a.Priority && adverts[i].Time > a.Time)
                {
                    return true;
                }
            }
            return false;
        }
        var lateness = adverts
            .GroupBy(e => e.Mac)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => (a, b)))
            .Where(p => p.b.Time - p.a.Time - advertInterval.TotalSeconds < masterDownInterval.TotalSeconds) // a new mastership, not a late advert
            .Where(p => !HigherBetween(p.a, p.b))
            .Select(p => p.b.Time - p.a.Time - advertInterval.TotalSeconds)
            .Order()
            .ToList();
        var (without, onTwo) = Holding(holds, from, to);
        return new(
            Math.Max(0, masterships.Count - 1),
            Seconds(Math.Max(0, dual)),
            Seconds(without),
            Seconds(onTwo),
            Seconds(lateness.DefaultIfEmpty(0).Max()),
            Seconds(lateness.Count == 0 ? 0 : lateness[(int)Math.Ceiling(0.99 * lateness.Count) - 1]));
    }

    public static List<Mastership> Masterships(IReadOnlyList<WireEvent> wire, double from, double to, double masterDown)
    {
        var masterships = new List<Mastership>();
        foreach (var node in wire.Where(e => e.Kind == WireKind.Advert && e.Priority > 0 && e.Time >= from && e.Time <= to).GroupBy(e => e.Mac))
        {
            Mastership? current = null;
            foreach (var advert in node)
            {
                if (current is not null && advert.Time - current.To <= masterDown)
                {
                    current = current with { To = advert.Time };
                    continue;
                }
                if (current is not null)
                {
                    masterships.Add(current);
                }
                current = new(node.Key, advert.Time, advert.Time);
            }
            masterships.Add(current!);
        }
        return [.. masterships.OrderBy(m => m.From)];
    }

    /// <summary>The longest spans within the window during which no node held the VIP, and two did.</summary>
    private static (double Without, double OnTwo) Holding(IReadOnlyList<HoldChange> holds, double from, double to)
    {
        var holding = new Dictionary<string, bool>();
        double without = 0, onTwo = 0, noneSince = from, twoSince = double.NaN;
        var none = true;
        foreach (var change in holds.OrderBy(h => h.Time))
        {
            var at = Math.Clamp(change.Time, from, to);
            holding[change.Node] = change.Holds;
            var count = holding.Values.Count(h => h);
            if (count == 0 && !none)
            {
                (none, noneSince) = (true, at);
            }
            else if (count > 0 && none)
            {
                without = Math.Max(without, at - noneSince);
                none = false;
            }
            if (count >= 2 && double.IsNaN(twoSince))
            {
                twoSince = at;
            }
            else if (count < 2 && !double.IsNaN(twoSince))
            {
                onTwo = Math.Max(onTwo, at - twoSince);
                twoSince = double.NaN;
            }
        }
        if (none)
        {
            without = Math.Max(without, to - noneSince);
        }
        if (!double.IsNaN(twoSince))
        {
            onTwo = Math.Max(onTwo, to - twoSince);
        }
        return (without, onTwo);
    }

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);
}
