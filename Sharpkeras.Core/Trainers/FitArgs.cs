using Sharpkeras.Callbacks;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>The arguments of one <c>Fit</c> call, whatever overload was used.</summary>
internal sealed class FitArgs
{
    public Tensor[]? X { get; init; }
    public Tensor[]? Y { get; init; }
    public IEnumerable<Tensor[]>? Data { get; init; }
    public int? BatchSize { get; init; }
    public int Epochs { get; init; } = 1;
    public int Verbose { get; init; } = 1;
    public IEnumerable<Callback>? Callbacks { get; init; }
    public double ValidationSplit { get; init; }
    public Tensor[]? ValidationX { get; init; }
    public Tensor[]? ValidationY { get; init; }
    public IEnumerable<Tensor[]>? ValidationDataSource { get; init; }
    public bool Shuffle { get; init; } = true;
    public IReadOnlyDictionary<int, double>? ClassWeight { get; init; }
    public Tensor? SampleWeight { get; init; }
    public int InitialEpoch { get; init; }
    public int? StepsPerEpoch { get; init; }
    public int? ValidationSteps { get; init; }
    public int? ValidationBatchSize { get; init; }
    public int ValidationFreq { get; init; } = 1;
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Checks the numeric arguments and their combinations; throws naming the argument.</summary>
    public void Validate()
    {
        DataChecks.CheckBatchSize(BatchSize);
        if (Epochs < 0) throw new ArgumentOutOfRangeException("epochs", Epochs, "epochs must be >= 0.");
        if (InitialEpoch < 0) throw new ArgumentOutOfRangeException("initialEpoch", InitialEpoch, "initialEpoch must be >= 0.");
        DataChecks.CheckVerbose(Verbose);
        if (StepsPerEpoch is <= 0) throw new ArgumentOutOfRangeException("stepsPerEpoch", StepsPerEpoch, "stepsPerEpoch must be positive.");
        if (ValidationSteps is <= 0) throw new ArgumentOutOfRangeException("validationSteps", ValidationSteps, "validationSteps must be positive.");
        if (ValidationFreq <= 0) throw new ArgumentOutOfRangeException("validationFreq", ValidationFreq, "validationFreq must be positive.");
        DataChecks.CheckBatchSize(ValidationBatchSize, "validationBatchSize");
        if (ValidationSplit != 0 && !(ValidationSplit > 0 && ValidationSplit < 1))
            throw new ArgumentOutOfRangeException("validationSplit", ValidationSplit, "validationSplit must be in (0, 1), or 0 for none.");
        if (ValidationSplit != 0 && (ValidationX != null || ValidationDataSource != null))
            throw new ArgumentException("Pass either validationSplit or validationData, not both.", "validationSplit");
        if (Data != null && BatchSize != null)
            throw new ArgumentException("Do not pass batchSize with a dataset: batch the dataset instead.", "batchSize");
        if (Callbacks != null && Callbacks.Any(c => c is null)) throw new ArgumentException("callbacks must not contain null.", "callbacks");
    }
}
