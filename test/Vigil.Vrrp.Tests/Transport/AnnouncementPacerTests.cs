using System.Net;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Transport;

public sealed class AnnouncementPacerTests
{
    private const long Hz = 1_000_000; // timestamps in microseconds

    [Fact]
    public void Slots_EachKindWaitsItsOwnIntervalAfterItsOwnLast()
    {
        var slots = new PacingSlots(null, null);
        var ms10 = TimeSpan.FromMilliseconds(10);
        Assert.Equal(TimeSpan.Zero, slots.Wait(ipv6: false, ms10, now: 0, Hz)); // nothing sent yet
        slots = slots.Sent(ipv6: false, now: 1_000);
        Assert.Equal(TimeSpan.FromMilliseconds(7), slots.Wait(ipv6: false, ms10, now: 4_000, Hz));
        Assert.True(slots.Wait(ipv6: false, ms10, now: 11_000, Hz) <= TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, slots.Wait(ipv6: true, ms10, now: 4_000, Hz)); // an NA does not wait for an ARP
        Assert.Equal(TimeSpan.Zero, slots.Wait(ipv6: false, TimeSpan.Zero, now: 1_000, Hz)); // unpaced
    }

    /// <summary>Three instances' rounds, queued at once from their own threads, leave one at a time, in order, spaced.</summary>
    [Fact]
    public void Pacer_SendsQueuedAnnouncementsOneAtATime_SpacedByTheInterval_AndForgetsADisposedSender()
    {
        using var pacer = new AnnouncementPacer("eth0", TimeProvider.System, Serilog.Core.Logger.None);
        pacer.Pace(TimeSpan.FromMilliseconds(20), TimeSpan.Zero);
        var sent = new RecordingAnnouncer();
        var forgotten = new RecordingAnnouncer();
        var vip = IPAddress.Parse("198.51.100.100");
        var other = IPAddress.Parse("198.51.100.101");

        pacer.Enqueue(sent, [vip, other], times: 2);
        pacer.Enqueue(forgotten, [vip], times: 50);
        pacer.Forget(forgotten);

        Assert.True(SpinWait.SpinUntil(() => sent.Count == 4, TimeSpan.FromSeconds(5)));
        var frames = sent.Frames;
        Assert.Equal([vip, other, vip, other], frames.Select(f => f.Address));
        var gaps = frames.Zip(frames.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(19), $"{gap.TotalMilliseconds} ms"));
        Assert.True(forgotten.Count <= 1, $"{forgotten.Count} frames of a forgotten sender"); // at most one already on its way
    }

    private sealed class RecordingAnnouncer : IAnnouncer
    {
        private readonly List<(IPAddress Address, TimeSpan At)> _frames = [];
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public int Count { get { lock (_frames) return _frames.Count; } }

        public List<(IPAddress Address, TimeSpan At)> Frames { get { lock (_frames) return [.. _frames]; } }

        public void Announce(IReadOnlyList<IPAddress> addresses, int times)
        {
            lock (_frames)
            {
                _frames.AddRange(Enumerable.Repeat(addresses, times).SelectMany(a => a).Select(a => (a, _clock.Elapsed)));
            }
        }

        public void Dispose()
        {
        }
    }
}
