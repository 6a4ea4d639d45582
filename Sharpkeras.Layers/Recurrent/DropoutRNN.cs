namespace Sharpkeras.Layers;

/// <summary>
/// The base of <see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/> and the <see cref="ConvLSTM"/> layers: an <see cref="RNN"/> over its
/// built-in <see cref="DropoutRNNCell"/>, exposing the cell's arguments and weights as the layer's own and
/// writing them flat into the layer's config, as Keras does.
/// </summary>
public abstract class DropoutRNN : RNN
{
    private protected DropoutRNN(DropoutRNNCell cell, bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll,
        bool zeroOutputForMask, object? activityRegularizer, int?[]? inputShape, string? name)
        : base(cell, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
        // The layer owns its cell's weights (paths "lstm/kernel"), as Keras's LSTM exposes them as its own.
        cell.WeightOwner = this;
    }

    private DropoutRNNCell BuiltInCell => (DropoutRNNCell)Cell;

    /// <summary>Dimensionality of the output space and of each state (a ConvLSTM's filters).</summary>
    public int Units => BuiltInCell.Units;

    /// <summary>Activation alias (null = linear).</summary>
    public string? ActivationName => BuiltInCell.ActivationName;

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias => BuiltInCell.UseBias;

    /// <summary>Fraction of the input features dropped while training (one mask per sequence, as in Keras).</summary>
    public double Dropout => BuiltInCell.Dropout;

    /// <summary>Fraction of the recurrent state dropped while training (one mask per sequence).</summary>
    public double RecurrentDropout => BuiltInCell.RecurrentDropout;

    /// <summary>Seed of the dropout masks, if any.</summary>
    public int? Seed => BuiltInCell.Seed;

    /// <summary>Initializer of <c>kernel</c>.</summary>
    public Initializers.Initializer KernelInitializer => BuiltInCell.KernelSpec.Initializer;

    /// <summary>Initializer of <c>recurrent_kernel</c>.</summary>
    public Initializers.Initializer RecurrentInitializer => BuiltInCell.RecurrentSpec.Initializer;

    /// <summary>Initializer of <c>bias</c>.</summary>
    public Initializers.Initializer BiasInitializer => BuiltInCell.BiasSpec.Initializer;

    /// <summary>Regularizer of <c>kernel</c>.</summary>
    public Regularizers.Regularizer? KernelRegularizer => BuiltInCell.KernelSpec.Regularizer;

    /// <summary>Regularizer of <c>recurrent_kernel</c>.</summary>
    public Regularizers.Regularizer? RecurrentRegularizer => BuiltInCell.RecurrentSpec.Regularizer;

    /// <summary>Regularizer of <c>bias</c>.</summary>
    public Regularizers.Regularizer? BiasRegularizer => BuiltInCell.BiasSpec.Regularizer;

    /// <summary>Constraint of <c>kernel</c>.</summary>
    public Constraints.Constraint? KernelConstraint => BuiltInCell.KernelSpec.Constraint;

    /// <summary>Constraint of <c>recurrent_kernel</c>.</summary>
    public Constraints.Constraint? RecurrentConstraint => BuiltInCell.RecurrentSpec.Constraint;

    /// <summary>Constraint of <c>bias</c>.</summary>
    public Constraints.Constraint? BiasConstraint => BuiltInCell.BiasSpec.Constraint;

    /// <summary>The input kernel (inputDim, gates·units), a ConvLSTM's (*kernelSize, channels, 4·filters) (after build).</summary>
    public KerasVariable Kernel => BuiltInCell.Kernel;

    /// <summary>The recurrent kernel (units, gates·units), a ConvLSTM's (*kernelSize, filters, 4·filters) (after build).</summary>
    public KerasVariable RecurrentKernel => BuiltInCell.RecurrentKernel;

    /// <summary>The bias, or null without bias.</summary>
    public KerasVariable? Bias => BuiltInCell.Bias;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("cell");
        c["activity_regularizer"] = LayerArguments.Describe(ActivityRegularizerArgument);
        BuiltInCell.WriteCellConfig(c);
        return c;
    }
}
