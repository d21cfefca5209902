/*
 * The Service tab's configuration page, shown when someone adds the tab to a channel (the leads' team).
 * There is nothing to choose: it tells Teams where the tab lives. Only leads and viewers see figures in it.
 */
(function () {
  'use strict';
  var teams = window.microsoftTeams;
  var status = document.getElementById('status');
  if (!teams) return;
  teams.app.initialize().then(function () {
    teams.pages.config.registerOnSaveHandler(function (save) {
      teams.pages.config
        .setConfig({ entityId: 'service', contentUrl: window.location.origin + '/tabs/service', suggestedDisplayName: 'Service' })
        .then(function () { save.notifySuccess(); }, function () { save.notifyFailure('Could not add the tab'); });
    });
    teams.pages.config.setValidityState(true);
    if (status) status.textContent = 'Press Save to add the Service tab to this channel.';
  });
})();
