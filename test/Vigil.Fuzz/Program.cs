using Vigil.Fuzz.Targets;

// Vigil.Fuzz TARGET            one input on stdin per run, under afl-fuzz (SharpFuzz's out-of-process mode)
// Vigil.Fuzz TARGET FILE...    runs the files once each, and says which one escaped with what (a crash's replay)
// Vigil.Fuzz --seed DIR        writes the first corpus of the targets that are not seeded from captures or files
const string Usage = "Usage: Vigil.Fuzz TARGET [FILE...] | --seed DIR\n  targets: ";
if (args is ["--seed", var root])
{
    Vigil.Fuzz.Seeds.Write(root);
    return 0;
}
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine(Usage + string.Join(", ", FuzzTargets.Names));
    return 2;
}
if (args.Length == 1)
{
    IFuzzTarget? fuzzed = null;
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        (fuzzed ??= FuzzTargets.Create(args[0])!).Run(buffer.ToArray());
    });
    return 0;
}
var escaped = FuzzTargets.Replay(FuzzTargets.Create(args[0])!, args.Skip(1));
foreach (var (file, e) in escaped)
{
    Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
}
return escaped.Count == 0 ? 0 : 1;
