using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Interop;

/// <summary>
/// A wait that ends at a deadline to within the kernel's timer slack, or at once when woken: ppoll(2) on an eventfd
/// with a nanosecond timeout. .NET's own waits take whole milliseconds, so the timer thread used to sleep short and
/// spin the last 4 ms of every wait; this one sleeps all of it.
/// </summary>
internal sealed partial class PreciseWait : IDisposable
{
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const short PollIn = 0x1;
    private const int PrSetTimerslack = 29;

    private readonly int _eventFd;

    public PreciseWait()
    {
        _eventFd = EventFd(0, EfdCloexec | EfdNonblock);
        if (_eventFd < 0)
        {
            throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// The calling thread's timer slack, 1 µs: the kernel may otherwise fire its timeouts up to 50 µs late to batch
    /// wake-ups (prctl(2) PR_SET_TIMERSLACK). False where it cannot be set.
    /// </summary>
    public static bool TightenTimerSlack() => SetTimerSlack(PrSetTimerslack, 1000, 0, 0, 0) == 0;

    /// <summary>Wakes a <see cref="Wait"/> now, or the next one at once.</summary>
    public void Wake()
    {
        ulong one = 1;
        _ = Write(_eventFd, ref one, sizeof(ulong));
    }

    /// <summary>Waits <paramref name="nanoseconds"/> (null: until woken); a wake-up that came before is taken too.</summary>
    public void Wait(long? nanoseconds)
    {
        var poll = new PollFd { Fd = _eventFd, Events = PollIn };
        if (nanoseconds is { } wait)
        {
            var timeout = new TimeSpec { Seconds = wait / 1_000_000_000, Nanoseconds = wait % 1_000_000_000 };
            _ = PPoll(ref poll, 1, ref timeout, IntPtr.Zero);
        }
        else
        {
            _ = PPollForever(ref poll, 1, IntPtr.Zero, IntPtr.Zero);
        }
        if ((poll.Returned & PollIn) != 0)
        {
            ulong taken = 0;
            _ = Read(_eventFd, ref taken, sizeof(ulong));
        }
    }

    public void Dispose() => _ = Close(_eventFd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    private static partial int PPoll(ref PollFd fds, nuint count, ref TimeSpec timeout, IntPtr signalMask);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    private static partial int PPollForever(ref PollFd fds, nuint count, IntPtr timeout, IntPtr signalMask);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, ref ulong value, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ref ulong value, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int SetTimerSlack(int option, ulong slack, ulong arg3, ulong arg4, ulong arg5);
}
