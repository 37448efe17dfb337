"""``bench.lean_independent``'s reading of LEAN's C# regression classes, on LEAN's own text (commit 24863901).

The report itself needs a LEAN git mirror (``--lean``), which CI lacks; the parser it stands on is checked here on
two real classes of ``Algorithm.CSharp/``: an abstract base that declares the data points and a subclass that
declares its own statistics and history count and inherits the rest, as C# inheritance gives them.
"""

from __future__ import annotations

from bench.lean_independent import parse_classes, parse_statistics, resolve

# Algorithm.CSharp/BaseFrameworkRegressionAlgorithm.cs (its regression-definition properties, verbatim)
BASE = """
    public abstract class BaseFrameworkRegressionAlgorithm : QCAlgorithm, IRegressionAlgorithmDefinition
    {
        public bool CanRunLocally { get; } = true;
        public virtual List<Language> Languages { get; } = new() { Language.CSharp, Language.Python };
        public virtual long DataPoints => 764;
        public virtual int AlgorithmHistoryDataPoints => 0;
        public AlgorithmStatus AlgorithmStatus => AlgorithmStatus.Completed;
        public abstract Dictionary<string, string> ExpectedStatistics { get; }
    }
"""

# Algorithm.CSharp/EmaCrossAlphaModelFrameworkRegressionAlgorithm.cs (the same, verbatim)
DERIVED = """
    public class EmaCrossAlphaModelFrameworkRegressionAlgorithm : BaseFrameworkRegressionAlgorithm
    {
        public override int AlgorithmHistoryDataPoints => 152;
        public AlgorithmStatus AlgorithmStatus => AlgorithmStatus.Completed;
        public override Dictionary<string, string> ExpectedStatistics => new()
        {
            {"Total Orders", "38"},
            {"Average Win", "0.36%"},
            {"Average Loss", "-0.17%"},
            {"Compounding Annual Return", "69.878%"},
            {"Drawdown", "0.900%"},
            {"Expectancy", "1.552"},
            {"Start Equity", "100000"},
            {"End Equity", "104401.15"},
            {"Net Profit", "4.401%"},
            {"Sharpe Ratio", "8.193"},
            {"Sortino Ratio", "16.18"},
            {"Probabilistic Sharpe Ratio", "97.652%"},
            {"Loss Rate", "19%"},
            {"Win Rate", "81%"},
            {"Profit-Loss Ratio", "2.14"},
            {"Alpha", "0.371"},
            {"Beta", "0.406"},
            {"Annual Standard Deviation", "0.055"},
            {"Annual Variance", "0.003"},
            {"Information Ratio", "4.394"},
            {"Tracking Error", "0.059"},
            {"Treynor Ratio", "1.106"},
            {"Total Fees", "$80.35"},
            {"Estimated Strategy Capacity", "$9600000.00"},
            {"Lowest Capacity Asset", "AIG R735QTJ8XC9X"},
            {"Portfolio Turnover", "17.26%"},
            {"Drawdown Recovery", "6"},
            {"OrderListHash", "49a74c348d955700aa5b230f596ed85b"}
        };
    }
}
"""


def test_a_subclass_declares_its_statistics_and_inherits_its_data_points():
    classes = {**parse_classes(BASE), **parse_classes(DERIVED)}
    assert classes["BaseFrameworkRegressionAlgorithm"][0].abstract
    assert classes["EmaCrossAlphaModelFrameworkRegressionAlgorithm"][1] == "BaseFrameworkRegressionAlgorithm"
    declared = resolve("EmaCrossAlphaModelFrameworkRegressionAlgorithm", classes)
    assert not declared.abstract
    assert (declared.data_points, declared.history_data_points) == (764, 152)
    assert (declared.status, declared.can_run_locally, declared.python) == ("Completed", True, True)
    assert declared.expected is not None
    assert len(declared.expected) == 28
    assert list(declared.expected)[:2] == ["Total Orders", "Average Win"]  # LEAN's order
    assert declared.expected["Average Loss"] == "-0.17%"
    assert declared.expected["OrderListHash"] == "49a74c348d955700aa5b230f596ed85b"


def test_statistics_built_by_code_are_not_read_as_a_literal():
    base = parse_classes(BASE)["BaseFrameworkRegressionAlgorithm"][0]
    assert base.declares_statistics and base.expected is None
    # Algorithm.CSharp/QuitAfterInitializationRegressionAlgorithm.cs: an empty dictionary is a literal
    empty = "public Dictionary<string, string> ExpectedStatistics => new Dictionary<string, string>();"
    assert parse_statistics(empty) == {}
    copied = "ExpectedStatistics => new Dictionary<string, string>(Base.ExpectedStatistics) { };"
    assert parse_statistics(copied) is None
