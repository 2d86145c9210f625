using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Vigil.Netlink.Interop;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink;

/// <summary>Thrown when the kernel answers a request with an error; carries the errno.</summary>
public sealed class NetlinkException(int errno, string message) : Exception($"{message}: {Describe(errno)}")
{
    public int Errno { get; } = errno;

    private static string Describe(int errno) => errno switch
    {
        1 => "EPERM (operation not permitted: needs CAP_NET_ADMIN)",
        2 => "ENOENT (no such entry)",
        3 => "ESRCH (no such entry to act on)",
        17 => "EEXIST (already exists)",
        19 => "ENODEV (no such device)",
        22 => "EINVAL (invalid argument)",
        34 => "ERANGE (value out of range)",
        93 => "EPROTONOSUPPORT (protocol not supported)",
        95 => "EOPNOTSUPP (operation not supported)",
        97 => "EAFNOSUPPORT (address family not supported)",
        111 => "ECONNREFUSED (nothing listens: the process events connector exists only in the initial network namespace)",
        105 => "ENOBUFS (the socket's receive buffer overflowed: notifications were lost)",
        99 => "EADDRNOTAVAIL (address not available)",
        _ => $"errno {errno}",
    };
}

/// <summary>Parses one message of a dump; false skips it.</summary>
public delegate bool NetlinkMessageParser<T>(NetlinkMessage message, out T value);

/// <summary>A netlink socket to the kernel: the I/O edge under the rtnetlink and IPVS clients.</summary>
public sealed class NetlinkSocket : IDisposable
{
    public const int Route = 0;
    public const int Generic = 16;

    private const int Eintr = 4;

    /// <summary>ENOBUFS on a subscribed socket: the kernel dropped notifications because the receive buffer was full.</summary>
    public const int Overflowed = 105;

    /// <summary>
    /// The receive buffer a subscribed socket asks for (keepalived sizes its monitor socket the same way): a burst of
    /// thousands of address changes fits, and a larger one is an overflow the owner resyncs from, not a crash.
    /// </summary>
    public const int NotificationBuffer = 16 * 1024 * 1024;

    private static readonly Libc.SockaddrNl Kernel = new() { Family = Libc.AfNetlink };

    private readonly int _fd;
    private readonly byte[] _receive = new byte[64 * 1024];
    private uint _sequence = (uint)Environment.TickCount;

    private NetlinkSocket(int protocol, uint groups = 0)
    {
        _fd = Libc.Socket(Libc.AfNetlink, Libc.SockRaw | Libc.SockCloexec, protocol);
        if (_fd < 0)
        {
            throw new NetlinkException(Marshal.GetLastPInvokeError(), "open a netlink socket");
        }
        // Port id 0: the kernel assigns one. Groups: the multicast groups whose events this socket receives.
        if (Libc.Bind(_fd, Kernel with { Groups = groups }, Marshal.SizeOf<Libc.SockaddrNl>()) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_fd);
            throw new NetlinkException(errno, "bind a netlink socket");
        }
    }

    public static NetlinkSocket Open(int protocol) => new(protocol);

    /// <summary>A socket that receives the kernel's event notifications for <paramref name="groups"/> (e.g. RTMGRP_LINK).</summary>
    public static NetlinkSocket OpenSubscribed(int protocol, uint groups, string? networkNamespace = null, int receiveBuffer = NotificationBuffer)
    {
        var socket = networkNamespace is null ? new(protocol, groups) : NetworkNamespace.Run(networkNamespace, () => new NetlinkSocket(protocol, groups));
        socket.EnlargeReceiveBuffer(receiveBuffer);
        return socket;
    }

    /// <summary>As <see cref="OpenSubscribed"/>, in the network namespace a file names (<see cref="NetworkNamespace.RunAt{T}"/>).</summary>
    public static NetlinkSocket OpenSubscribedAt(int protocol, uint groups, string namespacePath, int receiveBuffer = NotificationBuffer)
    {
        var socket = NetworkNamespace.RunAt(namespacePath, () => new NetlinkSocket(protocol, groups));
        socket.EnlargeReceiveBuffer(receiveBuffer);
        return socket;
    }

    /// <summary>Sends a message that is not answered as a request is (a connector subscription); throws the errno.</summary>
    public void Send(ReadOnlySpan<byte> message, string what)
    {
        if (Libc.SendTo(_fd, message, message.Length, 0, Kernel, Marshal.SizeOf<Libc.SockaddrNl>()) < 0)
        {
            throw new NetlinkException(Marshal.GetLastPInvokeError(), what);
        }
    }

    /// <summary>SO_RCVBUFFORCE (past the rmem_max limit; needs CAP_NET_ADMIN), else SO_RCVBUF as far as the limit allows.</summary>
    private void EnlargeReceiveBuffer(int bytes)
    {
        if (Libc.SetSocketOption(_fd, Libc.SolSocket, Libc.SoRcvbufForce, bytes, sizeof(int)) < 0)
        {
            _ = Libc.SetSocketOption(_fd, Libc.SolSocket, Libc.SoRcvbuf, bytes, sizeof(int));
        }
    }

    /// <summary>Opens a socket in a named network namespace (see <see cref="NetworkNamespace"/>).</summary>
    public static NetlinkSocket OpenInNamespace(int protocol, string name) => NetworkNamespace.Run(name, () => new NetlinkSocket(protocol));

    public uint NextSequence() => ++_sequence;

    /// <summary>Sends a dump request and collects every parsed message until NLMSG_DONE.</summary>
    public List<T> Dump<T>(ReadOnlyMemory<byte> request, NetlinkMessageParser<T> parse, string what)
    {
        var results = new List<T>();
        Exchange(request, what, (message) =>
        {
            if (parse(message, out var value))
            {
                results.Add(value);
            }
        });
        return results;
    }

    /// <summary>Sends a request with NLM_F_ACK and waits for the acknowledgement.</summary>
    public void Execute(ReadOnlyMemory<byte> request, string what) => Exchange(request, what, _ => { });

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications and returns those that parse; empty when none came.
    /// For subscribed sockets (the link watcher's loop).
    /// </summary>
    public List<T> ReceiveNotifications<T>(TimeSpan timeout, NetlinkMessageParser<T> parse)
    {
        var results = new List<T>();
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
        var ready = Libc.Poll(ref poll, 1, (int)timeout.TotalMilliseconds);
        if (ready < 0 && Marshal.GetLastPInvokeError() is var errno && errno != Eintr)
        {
            throw new NetlinkException(errno, "wait for netlink notifications");
        }
        if (ready <= 0)
        {
            return results; // timed out, or interrupted: the caller's loop asks again
        }
        var received = Libc.Receive(_fd, _receive, _receive.Length, 0);
        if (received < 0)
        {
            throw new NetlinkException(Marshal.GetLastPInvokeError(), "receive netlink notifications");
        }
        var reader = new NetlinkMessageReader(_receive.AsSpan(0, (int)received));
        while (reader.TryRead(out var message))
        {
            if (parse(message, out var value))
            {
                results.Add(value);
            }
        }
        return results;
    }

    private delegate void MessageHandler(NetlinkMessage message);

    private void Exchange(ReadOnlyMemory<byte> request, string what, MessageHandler onMessage)
    {
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(request.Span[8..]);
        if (Libc.SendTo(_fd, request.Span, request.Length, 0, Kernel, Marshal.SizeOf<Libc.SockaddrNl>()) < 0)
        {
            throw new NetlinkException(Marshal.GetLastPInvokeError(), what);
        }
        while (true)
        {
            var received = Libc.Receive(_fd, _receive, _receive.Length, 0);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                {
                    continue;
                }
                throw new NetlinkException(errno, what);
            }
            var reader = new NetlinkMessageReader(_receive.AsSpan(0, (int)received));
            while (reader.TryRead(out var message))
            {
                if (message.Header.Sequence != sequence)
                {
                    continue; // a late answer to an earlier request
                }
                switch (message.Header.Type)
                {
                    case NetlinkHeader.Done:
                        return;
                    case NetlinkHeader.Error when message.ErrorCode == 0:
                        return; // acknowledgement
                    case NetlinkHeader.Error:
                        throw new NetlinkException(-message.ErrorCode, what);
                    default:
                        onMessage(message);
                        if (!message.Header.Flags.HasFlag(NetlinkFlags.Multi))
                        {
                            return;
                        }
                        break;
                }
            }
        }
    }

    public void Dispose() => Libc.Close(_fd);
}
