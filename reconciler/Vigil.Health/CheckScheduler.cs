using Quartz;
using Quartz.Extensibility;
using Serilog;

namespace Vigil.Health;

/// <summary>
/// Runs every health check as a Quartz.NET job with its own interval: started at a random point of its first interval
/// (jitter, so thousands of checks do not fire in the same millisecond), never overlapping itself (a slow check is not
/// started twice; missed runs are skipped, not bunched), each attempt bounded by its timeout. <see cref="SyncAsync"/>
/// adds, replaces and removes jobs from the configuration without touching the others.
/// </summary>
public sealed class CheckScheduler : IAsyncDisposable
{
    private const string Group = "checks";
    private readonly StandaloneSchedulerFactory _factory;
    private readonly IScheduler _scheduler;
    private readonly Dictionary<string, IScheduledCheck> _checks = [];
    private readonly ILogger _log;

    private CheckScheduler(StandaloneSchedulerFactory factory, IScheduler scheduler, ILogger log)
    {
        _factory = factory;
        _scheduler = scheduler;
        _log = log;
    }

    /// <summary>Starts the scheduler; a check that throws is logged to <paramref name="log"/> (Quartz would keep it to itself).</summary>
    public static async Task<CheckScheduler> StartAsync(ILogger? log = null, int maxConcurrency = 200)
    {
        var factory = QuartzSchedulerBuilder.Create(quartz =>
        {
            // Each agent (and each test) owns its scheduler: a name of its own keeps them apart.
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = $"vigil-checks-{Guid.NewGuid():N}";
                // Triggers due within 20 ms of each other are taken in one pass, up to 100: one at a time, Quartz's
                // scheduler thread woke and handed over for every run of every check, which was two thirds of the CPU
                // a TCP check cost (health benchmark: 485 -> 154 µs per check). A check may start 20 ms early.
                options.MaxBatchSize = 100;
                options.BatchTriggerAcquisitionFireAheadTimeWindow = TimeSpan.FromMilliseconds(20);
            });
            quartz.UseDefaultThreadPool(maxConcurrency);
            quartz.UseJobFactory<CheckJobFactory>();
        }).Build();
        var scheduler = await factory.GetScheduler().ConfigureAwait(false);
        await scheduler.Start().ConfigureAwait(false);
        return new CheckScheduler(factory, scheduler, log ?? Serilog.Core.Logger.None);
    }

    /// <summary>The keys of the checks scheduled now.</summary>
    public IReadOnlyCollection<string> Scheduled => [.. _checks.Keys];

    /// <summary>The check scheduled under <paramref name="key"/> (the same object while its configuration is unchanged).</summary>
    public IScheduledCheck? Current(string key) => _checks.GetValueOrDefault(key);

    /// <summary>
    /// Makes the scheduled checks those given: a new one is added, a changed one (probe, knobs, interval) replaced,
    /// a missing one removed; an unchanged one keeps running on its own schedule.
    /// </summary>
    public async Task SyncAsync(IReadOnlyList<IScheduledCheck> checks, CancellationToken cancellation = default)
    {
        var next = checks.ToDictionary(c => c.Key);
        foreach (var (key, old) in _checks.ToList())
        {
            if (!next.TryGetValue(key, out var check) || !old.SameAs(check))
            {
                await _scheduler.DeleteJob(new JobKey(key, Group), cancellation).ConfigureAwait(false);
                _checks.Remove(key);
                old.Dispose();
            }
        }
        foreach (var duplicate in checks.Where(c => _checks.TryGetValue(c.Key, out var running) && !ReferenceEquals(running, c)))
        {
            duplicate.Dispose(); // the running one goes on
        }
        foreach (var check in checks.Where(c => !_checks.ContainsKey(c.Key)))
        {
            var job = JobBuilder.Create<CheckJob>().WithIdentity(check.Key, Group).Build();
            job.JobDataMap[CheckJob.CheckKey] = check;
            job.JobDataMap[CheckJob.LogKey] = _log;
            var trigger = TriggerBuilder.Create()
                .WithIdentity(check.Key, Group)
                .StartAt(DateTimeOffset.UtcNow + TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * check.FirstWithin.Ticks)))
                .WithSimpleSchedule(s => s.WithInterval(check.Interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await _scheduler.ScheduleJob(job, trigger, cancellationToken: cancellation).ConfigureAwait(false);
            _checks[check.Key] = check;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.Shutdown(waitForJobsToComplete: false).ConfigureAwait(false);
        await _factory.DisposeAsync().ConfigureAwait(false);
        foreach (var check in _checks.Values)
        {
            check.Dispose();
        }
        _checks.Clear();
    }

    /// <summary>
    /// Hands out the one stateless <see cref="CheckJob"/>. Quartz's default factory made a job per run by reflection
    /// and set its properties from the job's data by reflection, every run of every check.
    /// </summary>
    internal sealed class CheckJobFactory : IJobFactory
    {
        private static readonly JobScope Job = new(new CheckJob(), null);

        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) => ValueTask.FromResult(Job);

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>One run of one check; Quartz never runs two of the same job at once.</summary>
    [DisallowConcurrentExecution]
    internal sealed class CheckJob : IJob
    {
        public const string CheckKey = "check";
        public const string LogKey = "log";

        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var check = (IScheduledCheck)context.JobDetail.JobDataMap[CheckKey]!;
            try
            {
                await check.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // the scheduler is shutting down
            }
            catch (ObjectDisposedException)
            {
                // replaced by a new revision while this run was under way: its result no longer matters
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A check reports its own failures as results; anything else is a defect, logged here and tried again
                // at the next interval (Quartz would only hand it to its own, unconfigured, logging).
                ((ILogger)context.JobDetail.JobDataMap[LogKey]!).Error(e, "check {Check} failed unexpectedly: {Error}", check.Key, e.Message);
            }
        }
    }
}
