using System.Globalization;

namespace Vigil.Benchmarks;

/// <summary>Min, median and max of a series of measurements.</summary>
internal sealed record Spread(double Min, double Median, double Max, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var half = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
        return new(sorted[0], median, sorted[^1], sorted.Count);
    }

    public string Format(string unit, string format = "0") => string.Create(CultureInfo.InvariantCulture,
        $"min {Min.ToString(format, CultureInfo.InvariantCulture)} {unit}, median {Median.ToString(format, CultureInfo.InvariantCulture)} {unit}, max {Max.ToString(format, CultureInfo.InvariantCulture)} {unit}");
}
