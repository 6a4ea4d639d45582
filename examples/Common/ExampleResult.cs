namespace Sharpkeras.Examples;

/// <summary>What an example run produced.</summary>
/// <param name="History">The training history.</param>
/// <param name="TestScores">Loss and metrics on the test set.</param>
/// <param name="ModelPath">The saved model file.</param>
/// <param name="CurvePath">The training plot (PNG).</param>
/// <param name="Data">What it trained on, e.g. "MNIST (real digits, 8,000 train / 2,000 test)" or "synthetic …".</param>
public sealed record ExampleResult(History History, IReadOnlyDictionary<string, double> TestScores, string ModelPath, string CurvePath, string Data);
