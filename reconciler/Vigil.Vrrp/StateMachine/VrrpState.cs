namespace Vigil.Vrrp.StateMachine;

/// <summary>RFC 5798 section 6.4 states, plus keepalived's Fault.</summary>
public enum VrrpState { Initialize, Backup, Master, Fault }

/// <summary>What the machine asks of the outside world; the engine maps these to sockets and netlink.</summary>
public interface IVrrpActions
{
    /// <summary>Send one advertisement with this priority (0 when giving up mastership).</summary>
    void SendAdvertisement(int priority);

    /// <summary>Became master: add the VIPs, then announce them (gratuitous ARP / unsolicited NA).</summary>
    void TakeVirtualAddresses();

    /// <summary>Left master: remove the VIPs.</summary>
    void ReleaseVirtualAddresses();

    void StateChanged(VrrpState from, VrrpState to, string reason);

    /// <summary>
    /// As master, heard a lower-priority advert: another router announced the VIPs as its own (a mistaken takeover, or
    /// this node was frozen), so they are announced again. Runs under the machine's lock: it only asks.
    /// </summary>
    void HeardLowerPriority()
    {
    }

    /// <summary>The machine's lock was released after an input: do what must not run under it (change the kernel).</summary>
    void Settled()
    {
    }
}

/// <summary>The configuration the machine runs with; value equality decides whether a reload touches it.</summary>
public sealed record VrrpMachineSettings
{
    public int Version { get; init; } = 3;
    /// <summary>Configured priority, 1-255.</summary>
    public int Priority { get; init; } = 100;
    public TimeSpan AdvertisementInterval { get; init; } = TimeSpan.FromSeconds(1);
    public bool Preempt { get; init; } = true;
    /// <summary>keepalived's preempt_delay: counted from start-up as backup (later, from the first lower-priority advert heard).</summary>
    public TimeSpan PreemptDelay { get; init; }
    /// <summary>
    /// As master, answer a lower-priority advert at once with an advert of its own (keepalived's default; off with its
    /// lower_prio_no_advert). RFC 5798 section 6.4.3 lets a master just discard it, but then a backup that lost a
    /// few adverts and took over stays master beside it until the master's next timer.
    /// </summary>
    public bool AnswerLowerPriority { get; init; } = true;
    /// <summary>This router's primary address on the interface, compared on a priority tie (RFC 5798 section 6.4.3).</summary>
    public System.Net.IPAddress PrimaryAddress { get; init; } = System.Net.IPAddress.Any;
}
