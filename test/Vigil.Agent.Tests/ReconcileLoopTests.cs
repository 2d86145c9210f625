using Vigil.Agent.Reconcile;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// The agent's one worker with a recording node and fake time: timers, signals, watchers and health checks only
/// enqueue; passes never overlap, a burst is one pass, only a stop or a leave ends it, and a pass that asks to retry
/// is enqueued again after its delay.
/// </summary>
public sealed class ReconcileLoopTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DriftInterval = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();
    private readonly ReconcileQueue _queue = new();
    private readonly RecordingNode _node = new();

    public void Dispose() => _queue.Dispose();

    private ReconcileLoop Loop() => new(_node, _queue, _time, Interval, DriftInterval, Serilog.Core.Logger.None);

    [Fact]
    public void Timers_EnqueueTheIntervalAndTheDriftCheck_OnFakeTime()
    {
        using var loop = Loop();

        _time.Advance(DriftInterval);
        Assert.Null(loop.Pass(_queue.TakePending()));
        _time.Advance(Interval - DriftInterval);
        Assert.Null(loop.Pass(_queue.TakePending()));

        Assert.Equal(["drift", "reconcile interval", "drift"], _node.Calls);
    }

    [Fact]
    public void ABurst_IsOnePass_AndARequestWinsOverTheInterval_AndRetriesWithIt()
    {
        using var loop = Loop();
        _queue.Enqueue(ReconcileRequest.Requested);
        _queue.Enqueue(ReconcileRequest.Requested);
        _queue.Enqueue(ReconcileRequest.Retry);
        _queue.Enqueue(ReconcileRequest.Interval);

        Assert.Null(loop.Pass(_queue.TakePending()));

        Assert.Equal(["reconcile requested"], _node.Calls);
        Assert.Equal(ReconcileRequest.None, _queue.TakePending());
    }

    [Fact]
    public void OnlyAStopOrALeave_EndsTheLoop_AndALeaveWinsOverAStop()
    {
        using var loop = Loop();

        Assert.Null(loop.Pass(ReconcileRequest.Retry | ReconcileRequest.Health | ReconcileRequest.Drift));
        Assert.Equal(LoopEnd.Left, loop.Pass(ReconcileRequest.Stop | ReconcileRequest.Leave));
        Assert.Equal(LoopEnd.Stopped, loop.Pass(ReconcileRequest.Stop | ReconcileRequest.Interval));

        Assert.Equal(["retry", "health", "drift", "leave", "stop"], _node.Calls);
    }

    [Fact]
    public void APassThatAsksToRetry_IsRetriedAfterItsDelay_CappedAtTheInterval_AndNotOnceDone()
    {
        using var loop = Loop();
        _node.Next = PassResult.Retry(TimeSpan.FromSeconds(2), "ipvs: refused");

        loop.Pass(ReconcileRequest.Requested);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(ReconcileRequest.None, _queue.TakePending());
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(ReconcileRequest.Retry, _queue.TakePending());

        _node.Next = PassResult.Retry(TimeSpan.FromHours(1), "still refused");
        loop.Pass(ReconcileRequest.Retry);
        _time.Advance(Interval - TimeSpan.FromSeconds(0.5));
        Assert.DoesNotContain(ReconcileRequest.Retry, Flags(_queue.TakePending()));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Contains(ReconcileRequest.Retry, Flags(_queue.TakePending()));

        _node.Next = PassResult.Done;
        loop.Pass(ReconcileRequest.Retry);
        Assert.Equal(PassResult.Done, loop.Last);
        _time.Advance(Interval + Interval);
        Assert.DoesNotContain(ReconcileRequest.Retry, Flags(_queue.TakePending()));
    }

    /// <summary>
    /// Defect 6: health changes used to converge IPVS and rewrite what is not applied on Quartz's threads while the
    /// reconcile ran. Now they are requests: thousands of them during a slow reconcile run after it, in few passes,
    /// and no two passes ever overlap.
    /// </summary>
    [Fact]
    public void HealthChanges_DuringASlowReconcile_RunAfterIt_NeverBesideIt()
    {
        using var loop = Loop();
        using var reconciling = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _node.DuringReconcile = () =>
        {
            reconciling.Set();
            release.Wait(TestContext.Current.CancellationToken);
        };
        var worker = new Thread(() => loop.Run());
        worker.Start();
        _queue.Enqueue(ReconcileRequest.Requested);
        Assert.True(reconciling.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        var checks = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                _queue.Enqueue(ReconcileRequest.Health);
            }
        })).ToList();
        checks.ForEach(t => t.Start());
        checks.ForEach(t => t.Join());
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => _node.Count("health") > 0, TimeSpan.FromSeconds(10)));
        _queue.Enqueue(ReconcileRequest.Stop);
        Assert.True(worker.Join(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, _node.MostAtOnce);
        Assert.Equal(["reconcile requested", "health", "stop"], _node.Calls); // 4,000 requests, one pass
    }

    private static IEnumerable<ReconcileRequest> Flags(ReconcileRequest requests) =>
        Enum.GetValues<ReconcileRequest>().Where(f => f != ReconcileRequest.None && requests.HasFlag(f));

    /// <summary>Records each call and how many ran at once.</summary>
    private sealed class RecordingNode : IReconciledNode
    {
        private int _running;

        public List<string> Calls { get; } = [];

        public int MostAtOnce { get; private set; }

        public PassResult Next { get; set; } = PassResult.Done;

        public Action? DuringReconcile { get; set; }

        public int Count(string what)
        {
            lock (Calls)
            {
                return Calls.Count(c => c == what);
            }
        }

        public PassResult Reconcile(bool fromInterval) => Call(fromInterval ? "reconcile interval" : "reconcile requested", DuringReconcile);

        public PassResult Retry() => Call("retry");

        public PassResult FollowHealth() => Call("health");

        public void CheckDrift() => Call("drift");

        public void Stop() => Call("stop");

        public void Leave() => Call("leave");

        private PassResult Call(string what, Action? during = null)
        {
            var now = Interlocked.Increment(ref _running);
            MostAtOnce = Math.Max(MostAtOnce, now);
            lock (Calls)
            {
                Calls.Add(what);
            }
            during?.Invoke();
            Interlocked.Decrement(ref _running);
            return Next;
        }
    }
}
