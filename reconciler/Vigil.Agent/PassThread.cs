namespace Vigil.Agent;

/// <summary>
/// A thread of its own that runs a converging pass whenever it is poked, so that the engine's timer and receive threads
/// never wait for the kernel; while a pass reports that something is not yet in place it runs again, a few times,
/// <c>retryAfter</c> apart (a route whose source VIP is being added at that moment, say).
/// </summary>
public sealed class PassThread : IDisposable
{
    private readonly Func<bool> _pass;
    private readonly TimeSpan _retryAfter;
    private readonly int _retries;
    private readonly Thread _thread;
    private readonly object _gate = new(); // Monitor.Wait needs an object, not a Lock
    private bool _poked;
    private bool _closing;

    /// <param name="pass">One pass: true when everything is in place.</param>
    public PassThread(string name, Func<bool> pass, TimeSpan retryAfter, int retries)
    {
        _pass = pass;
        _retryAfter = retryAfter;
        _retries = retries;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Asks for a pass; cheap, never waits.</summary>
    public void Poke()
    {
        lock (_gate)
        {
            _poked = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        var retries = 0;
        while (true)
        {
            lock (_gate)
            {
                var deadline = retries > 0 ? _retryAfter : Timeout.InfiniteTimeSpan;
                while (!_poked && !_closing)
                {
                    if (!Monitor.Wait(_gate, deadline) && retries > 0)
                    {
                        break; // time to try again
                    }
                }
                if (_closing)
                {
                    return;
                }
                if (_poked)
                {
                    retries = _retries;
                }
                _poked = false;
            }
            retries = _pass() ? 0 : retries - 1;
        }
    }

    /// <summary>Stops the thread after the pass under way, if any.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
