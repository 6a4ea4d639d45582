namespace Sharpkeras.Examples;

/// <summary>What an example run produced.</summary>
/// <param name="History">The training history.</param>
/// <param name="TestScores">Loss and metrics on the test set.</param>
/// <param name="ModelPath">The saved model file.</param>
/// <param name="CurvePath">The training-curve PNG.</param>
public sealed record ExampleResult(History History, IReadOnlyDictionary<string, double> TestScores, string ModelPath, string CurvePath);
