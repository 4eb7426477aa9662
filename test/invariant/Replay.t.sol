// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PoolInvariants} from "./PoolInvariants.t.sol";
import {PoolHandler} from "./PoolHandler.sol";

/// @notice Shrunk campaign sequences replayed as plain tests (regressions of what the campaign found or of false
/// alarms it raised). Each deploys the campaign's setup (not inherited: this suite runs no invariant campaign).
contract ReplayTest {
    function _handler() internal returns (PoolHandler) {
        PoolInvariants inv = new PoolInvariants();
        inv.setUp();
        return inv.handler();
    }

    /// @notice A liquidation of an insolvent margin short that reverts (SlippageExceeded: the repay is a few wei) after
    /// the write-off: Foundry still records the reverted BadDebt event, which must not count as booked.
    function test_replay_revertedLiquidationOfInsolventAccount() public {
        PoolHandler handler = _handler();
        handler.marginOpen(1, 113882, false, 2520199539996767439282206076924442752, 0);
        handler.crash(
            491230049686006592846429360649934188289399070604524,
            46035148195189320382767630188616489485719718181585,
            false
        );
        handler.liquidateUnhealthy(41508, 55207597687737650929, 41224);
    }

    /// @notice Found by the campaign (issue #15), fixed: an account under health 1 that no funded liquidator could
    /// liquidate (the liquidation now closes such a dust-only insolvent account out).
    /// staleLiquidation: actor 3's sub-account 1 (WBTC collateral, WETH debt) gets 1 wei of USDC collateral, the USDC
    /// feed breaks, WBTC falls, the liquidation takes all the WBTC (no write-off: a price is untrusted) and leaves
    /// 18.77 WETH of debt against the 1 wei of USDC. `warp` heals the feeds: the account is insolvent (1e12 of 18-decimal
    /// USD of collateral against $37.5k of debt, health 0). Liquidating it against its USDC writes the shortfall off,
    /// then the equity cap rounds the seizure of the 1-wei collateral to 0 and the call reverts SlippageExceeded, so
    /// the whole liquidation (write-off included) is refused. Only settleBadDebt clears it (dust sweep).
    function test_replay_dustOnlyInsolventAccountIsClosedOut() public {
        PoolHandler handler = _handler();
        handler.staleLiquidation(
            3,
            3233493203029801616782805556053,
            756741988785743669431101787396610977315533951941272381380
        );
        handler.warp(33924); // reverted Violation("a: an account under health 1 could not be liquidated / SlippageExceeded")
    }

    /// @notice Found by the campaign (issue #15), fixed (MarginRouter closes through repayAndCall now): under the guardian's flash pause of USDC, a trader cannot close
    /// a margin short: MarginRouter.decrease repays through a flash loan of the debt asset (contracts/margin/
    /// MarginRouter.sol:245), which the pool refuses with FlashPaused — although setFlashPause is documented as
    /// blocking no exit ("margin close uses repayAndCall").
    function test_replay_marginCloseUnderFlashPause() public {
        PoolHandler handler = _handler();
        handler.guardianExit(
            712283738618033,
            21038571857308695820654841552468954457750590,
            563273880296856123075961530768400565237066452038623
        );
        handler.marginOpen(
            303128896994121977030769493104321851849812798062767568,
            15,
            false,
            530722420001334387421568325303259594779688636300556,
            63418001437434729798595357720214538055829641205
        );
        handler.marginClose(
            18558369586328628955716072,
            6807040102754451238484567702733,
            1846174321089132953081328549473228450250343223348960183
        ); // reverted Violation("margin close/decrease: an exit refused by a pause or the circuit breaker / FlashPaused")
    }

    /// @notice Found by the campaign (issue #15, seed 424242, shrunk from 61 calls), fixed: the keeper's liquidation of
    /// actor 2's insolvent sub-account 0 wrote its shortfall off (BadDebt) and left about 555 wei of USDC debt against
    /// 1 sat of WBTC ($0.0006): health below 1, solvent by less than the 2-wei equity margin, so the equity cap rounded
    /// the seizure of the single sat to 0 and every liquidation reverted SlippageExceeded while settleBadDebt refused
    /// (NotInsolvent). A liquidation that repays all the debt against the only collateral now takes all of it.
    function test_replay_dustAccountAfterWriteOffIsLiquidated() public {
        PoolHandler handler = _handler();
        handler.exitAll(46264635731261466332973984898734926124236391);
        handler.staleLiquidation(
            1452049599975648061084381048652136875,
            type(uint256).max - 2,
            1159199329597649035498953457686526468143337453175340351071981162214079476
        );
        handler.warp(290108970768211023662894761564903412);
        handler.liquidate(
            838456201677600857364405380396422090052322073,
            6225209267,
            27879125565862,
            5182001122468222855071537784029183875377304312202748263615
        );
    }

    /// @notice Found by fuzz:long (seed 152230987102614, shard 1), fixed: a solvent account worth a millionth of a dollar
    /// (1 unit of USDC against ~4.6e8 wei of WETH debt) under health 1, whose liquidation seized 0 units (the
    /// seizure sized to its equity rounds to nothing) and reverted SlippageExceeded. A solvent dust account (worth
    /// less than the dust value) is now closed in full against the chosen collateral.
    function test_replay_solventDustAccountIsClosedInFull() public {
        PoolHandler handler = _handler();
        handler.exitAll(12589650353781344944929571174392258671571265434);
        handler.staleLiquidation(
            2262992633424934872972838391255713456115879085582365802057677252,
            0,
            1685609890557239586108583128077033175214599
        );
        handler.warp(642469725117509764032826578610280535666331666152930067764634218);
        handler.liquidateUnhealthy(990000000000000000, 1000000000000000000, 99);
        handler.crash(
            3038405829797715379013864521501833457964219824196609629067,
            14855121652928408944131884977733534352634539244964158186,
            true
        );
        handler.staleLiquidation(440066459915942141713, 150000000000000000, 224);
        handler.warp(61056);
        handler.crash(type(uint256).max, 34494418483530473434286215871138, false);
    }

    /// @notice Found by fuzz:long (seed 152230987102613, shard 0), fixed: the same failure after a settleBadDebt.
    function test_replay_solventDustAccountAfterSettleIsClosedInFull() public {
        PoolHandler handler = _handler();
        handler.staleLiquidation(
            1336919227308,
            22855423672394437712086,
            55222206093809844936919037336263251717375786227971160490855973233
        );
        handler.warp(28608);
        handler.settleBadDebt(0, 195);
        handler.liquidateUnhealthy(
            811581566042570273546780205723,
            9246999768864201992630621161,
            15889634590274952652248885502586045589410464526754
        );
    }

    /// @notice Found by fuzz:long (seed 100061846571355, shard 1), fixed: closing a solvent dust account by seizing all of
    /// its collateral paid the liquidator more than the maximum bonus (the whole equity). It now seizes the debt's value
    /// times (1 + bonus), rounded up to a whole unit.
    function test_replay_dustAccountCloseStaysWithinTheBonus() public {
        PoolHandler handler = _handler();
        handler.guardianExit(920530, 1075713396639, 0);
        handler.guardianExit(
            1921915283725477550865153743941682186475456252295,
            16416124425563706163,
            55849650606412020172277237834360381955417429291865705853816379429056612717408
        );
        handler.borrow(
            5762228713238975093840211996809884121744531332974,
            18695735860184159843694236268339146653303,
            57473142532097990593592,
            1063103
        );
        handler.timelockSchedule(
            216830172264759129335977055242960101334290072817835496,
            41069197813736550681798836949160102162958380867253384661858494465457602245,
            113154289517679070999731922374654519870228784430442168,
            75170088469519848517532848576995
        );
        handler.timelockSchedule(28260, 50000000000, 38724, 1000);
        handler.staleLiquidation(
            1972858598130252153284053317744165396195930778555374742751283,
            2907888113,
            37617041209736569752279443161067099201022214595520295458732611068063195
        );
        handler.timelockSchedule(
            209061160042,
            1167,
            11005269963275798457672792,
            58576238719313608483176840616173947565104816664937852671
        );
        handler.timelockSchedule(
            1278946489126955906563116351576145708760388,
            43438308481504257499693131859863518663376946141856587140447,
            694,
            2443370
        );
        handler.warp(50000000000000000);
        handler.staleLiquidation(11183515486386, 4644839863315, 846356);
        handler.movePrice(400, 3600);
        handler.staleLiquidation(
            92429672093328318559720343578914534838925437486,
            0,
            115792089237316195423570985008687907853269984665640564039457584007913129639935
        );
        handler.timelockExecute(404275003128199722167915);
        handler.recoverFeeds();
        handler.liquidateUnhealthy(4134161597400869399638029541617707810, 0, 9593004979909199185912325020635);
    }
}
