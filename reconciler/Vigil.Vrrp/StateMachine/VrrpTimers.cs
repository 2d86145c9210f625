namespace Vigil.Vrrp.StateMachine;

/// <summary>RFC 5798 section 6.1 timing, the same for v2 (RFC 3768 section 6.1) when the interval is whole seconds.</summary>
public static class VrrpTimers
{
    /// <summary>
    /// The state a timer is created with when its firing is a takeover (Master_Down_Timer): a provider that can may
    /// spend its last moment before it waiting actively, as a sleep can overshoot. Other timers just sleep.
    /// </summary>
    public static readonly object Takeover = new();

    /// <summary>Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256: lower priorities wait longer.</summary>
    public static TimeSpan SkewTime(int priority, TimeSpan masterAdverInterval) =>
        TimeSpan.FromTicks((256 - priority) * masterAdverInterval.Ticks / 256);

    /// <summary>Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time.</summary>
    public static TimeSpan MasterDownInterval(int priority, TimeSpan masterAdverInterval) =>
        (3 * masterAdverInterval) + SkewTime(priority, masterAdverInterval);
}
