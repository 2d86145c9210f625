namespace Vigil.Vrrp.Engine;

/// <summary>
/// Tells an advert flood from a peer's adverts: more than <see cref="Threshold"/> lower-priority adverts a backup
/// discards within one second (a peer sends at most 100 a second, at VRRPv3's shortest interval) engage the kernel
/// filter for <see cref="Hold"/>; then it is lifted, and a flood that goes on engages it again within a second. Only
/// the receive thread calls <see cref="Discarded"/> and <see cref="Changed"/>; <see cref="Engaged"/> is read anywhere.
/// Times are TimeProvider timestamps.
/// </summary>
public sealed class AdvertFlood
{
    public const int Threshold = 1000;
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    private long _windowStart;
    private int _inWindow;
    private long _engagedUntil;
    private volatile bool _engaged;
    private bool _told;

    public bool Engaged => _engaged;

    public void Discarded(long now, long frequency)
    {
        Roll(now, frequency);
        if (++_inWindow > Threshold && !_engaged)
        {
            _engagedUntil = now + (long)(Hold.TotalSeconds * frequency);
            _engaged = true;
        }
    }

    /// <summary>Ends the hold when due; true when <see cref="Engaged"/> changed since it was last asked.</summary>
    public bool Changed(long now, long frequency)
    {
        Roll(now, frequency);
        if (_engaged && now >= _engagedUntil)
        {
            _engaged = false;
        }
        var changed = _engaged != _told;
        _told = _engaged;
        return changed;
    }

    private void Roll(long now, long frequency)
    {
        if (now - _windowStart >= frequency)
        {
            (_windowStart, _inWindow) = (now, 0);
        }
    }
}
