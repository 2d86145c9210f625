using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Interop;

/// <summary>
/// Lowers the calling thread's nice value (Linux keeps one per thread). .NET's ThreadPriority has no effect on
/// Linux, so this goes to setpriority(2) directly. Needs CAP_SYS_NICE; without it the thread keeps its nice value.
/// </summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0;
    private const int Nice = -10;

    public static bool TryRaise() => OperatingSystem.IsLinux() && SetPriority(PrioProcess, GetTid(), Nice) == 0;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
